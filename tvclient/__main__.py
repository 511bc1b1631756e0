"""`python -m tvclient`: the same as the `tvclient` command."""

from tvclient.cli import main

raise SystemExit(main())
