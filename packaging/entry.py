"""The frozen app's entry point: the same `tvclient` command as the console script."""

import sys

from tvclient.cli import main

if __name__ == "__main__":
    sys.exit(main())
