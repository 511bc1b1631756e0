"""tvclient: Alipay Scan to Bind on the big screen."""

# The one place the version is written: pyproject.toml reads it from here when building, and the
# app does not scan the installed distributions for it at start-up (~5 ms on a cold start).
__version__ = "0.1.0"

__all__ = ["__version__"]
