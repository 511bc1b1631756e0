"""HDMI-CEC: the TV's own remote as an input device (kernel CEC input or libCEC, both optional)."""
