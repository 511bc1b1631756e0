"""The merchant backend: the server devices talk to, integrated with Antom (see docs/merchant.md).

Public entry points: `create_app` (the ASGI app), `MerchantConfig` (settings, also from a
sandbox data dir) and `commands.run(argv)` (the `tvclient merchant` command line).
"""

from tvclient.merchant.app import create_app
from tvclient.merchant.config import MerchantConfig

__all__ = ["MerchantConfig", "create_app"]
