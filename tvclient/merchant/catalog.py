"""The catalog: what a device may sell, loaded from the operator's JSON file.

File format (docs/merchant.md has the full description)::

    {"products": [{"id": "movie-night",
                   "title": {"en": "...", "zh-HK": "...", "id": "..."},
                   "description": {"en": "...", ...},
                   "image": "movie-night.png",
                   "prices": [{"currency": "HKD", "value": 3800}, ...]}]}

Prices are minor units. Every price must be payable by a wallet of its currency (within the
wallet's per-payment minimum and maximum); images live beside the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tvclient.merchant.errors import CatalogError
from tvclient.money import WALLET_RULES, Money, MoneyError

__all__ = ["LANGUAGES", "Catalog", "Product", "load_catalog"]

LANGUAGES = ("en", "zh-HK", "id")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_IMAGE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\.(png|jpg|jpeg|webp)$")


@dataclass(frozen=True, slots=True)
class Product:
    """One product with its texts per language and its prices per currency."""

    id: str
    title: dict[str, str]
    description: dict[str, str]
    image: str | None
    prices: tuple[Money, ...]

    def price_in(self, currency: str) -> Money | None:
        """The price in a currency, if the product has one."""
        return next((price for price in self.prices if price.currency == currency), None)

    def title_in(self, language: str) -> str:
        """The title in a language, English when that language is missing."""
        return self.title.get(language) or self.title["en"]


@dataclass(frozen=True, slots=True)
class Catalog:
    """The products in file order, and the directory their images are served from."""

    products: tuple[Product, ...]
    image_dir: Path

    def get(self, product_id: str) -> Product | None:
        """A product by id."""
        return next((product for product in self.products if product.id == product_id), None)

    def image_path(self, name: str) -> Path | None:
        """The file of an image the catalog names (None for any other name)."""
        if any(product.image == name for product in self.products):
            return self.image_dir / name
        return None


def load_catalog(path: Path) -> Catalog:
    """Read and check a catalog file.

    Raises:
        CatalogError: the file cannot be read or a product breaks a rule (names which).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"cannot read catalog {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise CatalogError(f"catalog {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("products"), list):
        raise CatalogError(f"catalog {path} must be an object with a 'products' list")
    products: list[Product] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["products"]):
        product = _product(raw, f"{path}: products[{index}]")
        if product.id in seen:
            raise CatalogError(f"{path}: product id {product.id!r} appears twice")
        if product.image is not None and not (path.parent / product.image).is_file():
            raise CatalogError(f"{path}: image {product.image!r} of {product.id!r} is missing")
        seen.add(product.id)
        products.append(product)
    return Catalog(products=tuple(products), image_dir=path.parent)


def _texts(raw: Any, where: str, *, required: bool) -> dict[str, str]:
    if raw is None and not required:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in raw.items()
    ):
        raise CatalogError(f"{where} must map language codes to non-empty texts")
    if required and "en" not in raw:
        raise CatalogError(f"{where} needs an English ('en') text")
    return {str(k): str(v) for k, v in raw.items()}


def _product(raw: Any, where: str) -> Product:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where} must be an object")
    product_id = raw.get("id")
    if not isinstance(product_id, str) or not _ID_RE.match(product_id):
        raise CatalogError(f"{where}.id must be 1-64 of a-z, 0-9 and '-'")
    where = f"{where} ({product_id})"
    image = raw.get("image")
    if image is not None and (not isinstance(image, str) or not _IMAGE_RE.match(image)):
        raise CatalogError(f"{where}.image must be a plain file name (.png, .jpg, .webp)")
    prices_raw = raw.get("prices")
    if not isinstance(prices_raw, list) or not prices_raw:
        raise CatalogError(f"{where}.prices must be a non-empty list")
    prices: list[Money] = []
    for raw_price in prices_raw:
        prices.append(_price(raw_price, where))
    if len({price.currency for price in prices}) != len(prices):
        raise CatalogError(f"{where} has two prices in one currency")
    return Product(
        id=product_id,
        title=_texts(raw.get("title"), f"{where}.title", required=True),
        description=_texts(raw.get("description"), f"{where}.description", required=False),
        image=image,
        prices=tuple(prices),
    )


def _price(raw: Any, where: str) -> Money:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: a price must be {{'currency', 'value'}}")
    value, currency = raw.get("value"), raw.get("currency")
    if not isinstance(currency, str) or isinstance(value, bool) or not isinstance(value, int):
        raise CatalogError(f"{where}: a price needs a currency code and an integer value")
    try:
        price = Money(value, currency)
        for rules in WALLET_RULES.values():
            if rules.currency == currency:
                rules.check_amount(price)
    except MoneyError as exc:
        raise CatalogError(f"{where}: price {value} {currency}: {exc}") from None
    return price
