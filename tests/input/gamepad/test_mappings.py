"""Controller mapping databases: the bundled one is valid, bad user lines are reported."""

from __future__ import annotations

import pytest

from tvclient.app.input.gamepad.mappings import (
    BUNDLED_DB,
    parse_mapping_file,
    parse_mapping_line,
)


def test_bundled_database_is_valid_and_names_common_pads():
    """Every bundled line parses; common pads are in it."""
    parsed = parse_mapping_file(BUNDLED_DB)
    assert parsed.problems == ()
    names = {m.name for m in parsed.mappings}
    assert {"Xbox 360 Controller", "PS4 Controller", "PS5 Controller"} <= names
    assert all("platform:Linux" in m.text for m in parsed.mappings)
    assert len({m.guid for m in parsed.mappings}) == len(parsed.mappings)


def test_user_file_problems_are_reported_by_line(tmp_path):
    """A bad user line is reported with its number and the good lines still load."""
    path = tmp_path / "gamecontrollerdb.txt"
    path.write_text(
        "# my pads\n"
        "03000000aaaa0000bbbb000000000000,My Pad,a:b0,b:b1\n"
        "not a mapping\n"
        "03000000aaaa0000cccc000000000000,,a:b0\n"
        "zz000000aaaa0000cccc000000000000,Bad GUID,a:b0\n",
        encoding="utf-8",
    )
    parsed = parse_mapping_file(path)
    assert [m.name for m in parsed.mappings] == ["My Pad"]
    assert parsed.mappings[0].text.endswith(",")
    assert [p.split(":")[1] for p in parsed.problems] == ["3", "4", "5"]


def test_missing_user_file_is_empty(tmp_path):
    """No user file is not a problem."""
    parsed = parse_mapping_file(tmp_path / "absent.txt")
    assert parsed.mappings == ()
    assert parsed.problems == ()


@pytest.mark.parametrize(
    "line",
    ["", "030000005e0400008e02000000000000", "030000005e0400008e02000000000000,Pad,junk",
     "x" * 5000],
)
def test_malformed_lines_are_refused(line):
    """Lines SDL would reject (or that are absurd) are refused with a reason."""
    with pytest.raises(ValueError, match=r"."):
        parse_mapping_line(line)
