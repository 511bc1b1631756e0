"""`python -m tvclient.sandbox ARGS...` is `tvclient sandbox ARGS...`."""

from __future__ import annotations

import sys

from tvclient.sandbox.commands import run

if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
