"""Objects shared by several APIs: Env, Order and its parts, PaymentMethod, quotes, PSP info.

Lengths come from reference §7 and §8; where the reference gives none the field is unbounded,
and where it marks them UNCONFIRMED (`order.merchant.*`) generous limits are used.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from tvclient.antom.result import Result
from tvclient.antom.wire import Id64, Message, Rule, message
from tvclient.money import Money

__all__ = [
    "Buyer",
    "DeliveryMethodType",
    "Env",
    "Goods",
    "Merchant",
    "Order",
    "OsType",
    "PaymentMethod",
    "PspCustomerInfo",
    "SettlementQuote",
    "SettlementStrategy",
    "TerminalType",
    "Transaction",
    "TransactionStatus",
    "TransactionType",
    "UserName",
]

Str2 = Annotated[str, Rule(max_len=2)]
Str3 = Annotated[str, Rule(max_len=3)]
Str16 = Annotated[str, Rule(max_len=16)]
Str24 = Annotated[str, Rule(max_len=24)]
Str32 = Annotated[str, Rule(max_len=32)]
Str64 = Annotated[str, Rule(max_len=64)]
Str128 = Annotated[str, Rule(max_len=128)]
Str256 = Annotated[str, Rule(max_len=256)]
Str2048 = Annotated[str, Rule(max_len=2048)]
Url1024 = Annotated[str, Rule(max_len=1024, url=True)]
Url2048 = Annotated[str, Rule(max_len=2048, url=True)]
PositiveAmount = Annotated[Money, Rule(positive=True)]


class TerminalType(StrEnum):
    """Where the buyer is: Scan to Link is always `WEB`."""

    WEB = "WEB"
    WAP = "WAP"
    APP = "APP"
    MINI_APP = "MINI_APP"


class OsType(StrEnum):
    """The buyer's device OS (with APP / WAP terminals)."""

    IOS = "IOS"
    ANDROID = "ANDROID"


class DeliveryMethodType(StrEnum):
    """How goods are delivered."""

    PHYSICAL = "PHYSICAL"
    DIGITAL = "DIGITAL"


class TransactionType(StrEnum):
    """Kinds of follow-up transaction listed by inquiryPayment."""

    PAYMENT = "PAYMENT"
    REFUND = "REFUND"
    CAPTURE = "CAPTURE"
    CANCEL = "CANCEL"
    AUTHORIZATION = "AUTHORIZATION"
    VOID = "VOID"
    INCREMENTAL = "INCREMENTAL"


class TransactionStatus(StrEnum):
    """Status of a follow-up transaction (SDK `TransactionStatusType`)."""

    SUCCESS = "SUCCESS"
    FAIL = "FAIL"
    PROCESSING = "PROCESSING"
    CANCELLED = "CANCELLED"
    PENDING = "PENDING"


@message
class Env(Message):
    """Environment of the buyer (reference §8.2)."""

    terminal_type: TerminalType | None = None
    os_type: OsType | None = None
    os_version: Str16 | None = None
    user_agent: str | None = None
    device_token_id: Str64 | None = None
    client_ip: Str64 | None = None
    cookie_id: str | None = None
    extend_info: Str2048 | None = None
    store_terminal_id: str | None = None
    store_terminal_request_time: str | None = None
    color_depth: str | None = None
    screen_height: Annotated[int, Rule(lo=0)] | None = None
    screen_width: Annotated[int, Rule(lo=0)] | None = None
    time_zone_offset: Annotated[int, Rule(lo=-720, hi=720)] | None = None
    device_brand: Str64 | None = None
    device_model: Str128 | None = None
    device_language: str | None = None
    device_id: str | None = None


@message
class UserName(Message):
    """A person's name (`buyerName`, certificate `holderName`)."""

    first_name: Str32 | None = None
    middle_name: Str32 | None = None
    last_name: Str32 | None = None
    full_name: Str128 | None = None


@message
class Buyer(Message):
    """`order.buyer`."""

    reference_buyer_id: Str64 | None = None
    buyer_name: UserName | None = None
    buyer_phone_no: Str24 | None = None
    buyer_email: Str64 | None = None
    buyer_registration_time: dt.datetime | None = None


@message
class Merchant(Message):
    """`order.merchant`, for acquirers with sub-merchants (lengths UNCONFIRMED; generous)."""

    reference_merchant_id: Str64 | None = None
    merchant_mcc: Annotated[str, Rule(max_len=32, wire="merchantMCC")] | None = None
    merchant_name: Str256 | None = None
    merchant_display_name: Str256 | None = None
    merchant_register_date: Str64 | None = None
    merchant_type: Str64 | None = None


@message
class Goods(Message):
    """One item of `order.goods` (for risk control)."""

    reference_goods_id: Id64
    goods_name: Annotated[str, Rule(min_len=1, max_len=256)]
    goods_category: Str64 | None = None
    goods_brand: Str64 | None = None
    goods_unit_amount: Money | None = None
    goods_quantity: Annotated[int, Rule(lo=0)] | None = None
    goods_sku_name: Str64 | None = None
    goods_url: Url2048 | None = None
    delivery_method_type: DeliveryMethodType | None = None


@message
class Order(Message):
    """`order` of pay. tvclient requires the three fields older docs mark required."""

    reference_order_id: Id64
    order_description: Annotated[str, Rule(min_len=1, max_len=256)]
    order_amount: PositiveAmount
    merchant: Merchant | None = None
    goods: Annotated[tuple[Goods, ...], Rule(max_items=100)] | None = None
    buyer: Buyer | None = None
    env: Env | None = None
    extend_info: str | None = None


@message
class PaymentMethod(Message):
    """`paymentMethod` of pay; `paymentMethodId` is the access token for AGREEMENT_PAYMENT."""

    payment_method_type: Annotated[str, Rule(min_len=1, max_len=64)]
    payment_method_id: Annotated[str, Rule(min_len=1, max_len=128, secret=True)] | None = None
    customer_id: Str64 | None = None
    extend_info: Str2048 | None = None


@message
class SettlementStrategy(Message):
    """`settlementStrategy` of pay."""

    settlement_currency: Str3 | None = None


@message
class PspCustomerInfo(Message):
    """The wallet's view of the buyer (applyToken, pay, inquiryPayment, notifyPayment)."""

    psp_name: Str64 | None = None
    psp_customer_id: Str64 | None = None
    display_customer_id: Str64 | None = None
    display_customer_name: str | None = None
    customer_2088_id: str | None = None
    extend_info: str | None = None


@message
class SettlementQuote(Message):
    """An FX quote locked at transaction time."""

    quote_id: Str64 | None = None
    quote_currency_pair: Str16 | None = None
    quote_price: Decimal | None = None
    quote_start_time: dt.datetime | None = None
    quote_expiry_time: dt.datetime | None = None
    guaranteed: bool | None = None


@message
class Transaction(Message):
    """A follow-up transaction listed by inquiryPayment (for REFUND: refundId / refundRequestId)."""

    transaction_type: TransactionType
    transaction_result: Result | None = None
    transaction_id: Str64 | None = None
    transaction_status: TransactionStatus | None = None
    transaction_amount: Money | None = None
    transaction_request_id: Str64 | None = None
    transaction_time: dt.datetime | None = None
