"""`python -m tvclient.merchant ...` — the same as `tvclient merchant ...`."""

import sys

from tvclient.merchant.commands import run

if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
