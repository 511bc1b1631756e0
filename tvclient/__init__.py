"""tvclient: Alipay Scan to Bind on the big screen."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tvclient")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
