"""Authorization APIs: consult, applyToken, revoke, and the notifyAuthorization notification."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from tvclient.antom.errors import MessageError
from tvclient.antom.messages.common import (
    Env,
    OsType,
    PspCustomerInfo,
    Str2,
    Str16,
    Str64,
    Str256,
    Str2048,
    TerminalType,
    Url1024,
)
from tvclient.antom.result import Result, ResultStatus
from tvclient.antom.wire import Message, Rule, message

__all__ = [
    "ApplyTokenRequest",
    "ApplyTokenResponse",
    "AuthCodeForm",
    "AuthMetaData",
    "AuthorizationNotification",
    "AuthorizationNotifyType",
    "CodeDetail",
    "CodeValueType",
    "ConsultRequest",
    "ConsultResponse",
    "DisplayType",
    "GrantType",
    "RevokeRequest",
    "RevokeResponse",
    "ScopeType",
]

Token = Annotated[str, Rule(min_len=1, max_len=128, secret=True)]
WalletId = Annotated[str, Rule(min_len=1, max_len=64)]
AuthState = Annotated[str, Rule(min_len=1, max_len=256)]


class ScopeType(StrEnum):
    """Consult `scopes`; Scan to Link uses `AGREEMENT_PAY`."""

    AGREEMENT_PAY = "AGREEMENT_PAY"
    BASE_USER_INFO = "BASE_USER_INFO"
    USER_INFO = "USER_INFO"
    USER_LOGIN_ID = "USER_LOGIN_ID"
    HASH_LOGIN_ID = "HASH_LOGIN_ID"
    SEND_OTP = "SEND_OTP"
    TAOBAO_REBIND = "TAOBAO_REBIND"


class CodeValueType(StrEnum):
    """What kind of code a `codeDetails` entry holds."""

    QRCODE = "QRCODE"
    BARCODE = "BARCODE"


class DisplayType(StrEnum):
    """How a `codeDetails` entry is shown: `TEXT` is to be encoded by the merchant."""

    TEXT = "TEXT"
    SMALLIMAGE = "SMALLIMAGE"
    MIDDLEIMAGE = "MIDDLEIMAGE"
    BIGIMAGE = "BIGIMAGE"
    IMAGE = "IMAGE"


class GrantType(StrEnum):
    """applyToken `grantType`."""

    AUTHORIZATION_CODE = "AUTHORIZATION_CODE"
    REFRESH_TOKEN = "REFRESH_TOKEN"  # noqa: S105 - a grant type name, not a secret


class AuthorizationNotifyType(StrEnum):
    """notifyAuthorization `authorizationNotifyType`."""

    AUTHCODE_CREATED = "AUTHCODE_CREATED"
    TOKEN_CREATED = "TOKEN_CREATED"  # noqa: S105 - an event name, not a secret
    TOKEN_CANCELED = "TOKEN_CANCELED"  # noqa: S105 - an event name, not a secret


# ---------------------------------------------------------------------------- consult
@message
class AuthMetaData(Message):
    """`authMetaData` of consult (SDK-only; use case UNCONFIRMED)."""

    account_holder_name: str | None = None
    account_holder_cert_no: str | None = None


@message
class ConsultRequest(Message):
    """consult: ask for an authorization (for Scan to Link, the QR).

    The reference cannot say whether `terminalType` or `env.terminalType` is enforced, so
    tvclient requires at least one of them (and the merchant backend sends both).
    """

    customer_belongs_to: WalletId
    auth_redirect_url: Url1024
    scopes: Annotated[tuple[ScopeType, ...], Rule(min_items=1, max_items=4)]
    auth_state: AuthState
    auth_client_id: Str64 | None = None
    terminal_type: TerminalType | None = None
    os_type: OsType | None = None
    os_version: Str16 | None = None
    env: Env | None = None
    auth_notify_url: Url1024 | None = None
    merchant_region: Str2 | None = None
    recurring_payment: bool | None = None
    merchant_account_id: Str64 | None = None
    extend_info: str | None = None
    auth_meta_data: AuthMetaData | None = None

    def _validate(self) -> None:
        if self.terminal_type is None and (self.env is None or self.env.terminal_type is None):
            raise MessageError("terminalType", "missing (give terminalType or env.terminalType)")


@message
class CodeDetail(Message):
    """One rendering of the authorization code: text to encode, or an image URL."""

    code_value_type: CodeValueType
    code_value: Annotated[str, Rule(min_len=1, max_len=2048)]
    display_type: DisplayType


@message
class AuthCodeForm(Message):
    """The QR of Scan to Link, offered as text and as images."""

    code_details: Annotated[tuple[CodeDetail, ...], Rule(min_items=1)]

    def text(self) -> str | None:
        """The value of the first `TEXT` entry (what to encode into a QR yourself), if any."""
        for detail in self.code_details:
            if detail.display_type is DisplayType.TEXT:
                return detail.code_value
        return None


@message
class ConsultResponse(Message):
    """consult response: `authCodeForm` for Scan to Link; URLs for redirect flows."""

    result: Result
    auth_code_form: AuthCodeForm | None = None
    auth_url: Str2048 | None = None
    normal_url: Str2048 | None = None
    scheme_url: Str2048 | None = None
    applink_url: Str2048 | None = None
    app_identifier: Annotated[str, Rule(max_len=128)] | None = None
    extend_info: str | None = None


# ---------------------------------------------------------------------------- applyToken
@message
class ApplyTokenRequest(Message):
    """applyToken: exchange an authCode, or a refresh token, for an access token."""

    grant_type: GrantType
    customer_belongs_to: WalletId
    auth_code: Token | None = None
    refresh_token: Token | None = None
    merchant_region: Str2 | None = None
    merchant_account_id: Str64 | None = None
    extend_info: str | None = None

    def _validate(self) -> None:
        if self.grant_type is GrantType.AUTHORIZATION_CODE and self.auth_code is None:
            raise MessageError("authCode", "missing (required with AUTHORIZATION_CODE)")
        if self.grant_type is GrantType.REFRESH_TOKEN and self.refresh_token is None:
            raise MessageError("refreshToken", "missing (required with REFRESH_TOKEN)")


@message
class ApplyTokenResponse(Message):
    """applyToken response; on S it carries the access token (the pay `paymentMethodId`)."""

    result: Result
    access_token: Token | None = None
    access_token_expiry_time: dt.datetime | None = None
    refresh_token: Token | None = None
    refresh_token_expiry_time: dt.datetime | None = None
    user_login_id: Str64 | None = None
    psp_customer_info: PspCustomerInfo | None = None
    extend_info: Str2048 | None = None

    def _validate(self) -> None:
        if self.result.result_status is ResultStatus.SUCCESS and self.access_token is None:
            raise MessageError("accessToken", "missing (required when resultStatus is S)")


# ---------------------------------------------------------------------------- revoke
@message
class RevokeRequest(Message):
    """revoke: invalidate an access token (and its refresh token) from the merchant side."""

    access_token: Token
    merchant_account_id: Str64 | None = None
    extend_info: str | None = None


@message
class RevokeResponse(Message):
    """revoke response."""

    result: Result
    extend_info: str | None = None


# ---------------------------------------------------------------------------- notification
@message
class AuthorizationNotification(Message):
    """notifyAuthorization: the buyer agreed (AUTHCODE_CREATED) or unbound (TOKEN_CANCELED).

    `userLoginId` has no length in the reference; tvclient accepts up to 256 characters.
    """

    authorization_notify_type: AuthorizationNotifyType
    result: Result
    auth_client_id: Str64 | None = None
    access_token: Token | None = None
    auth_state: AuthState | None = None
    auth_code: Token | None = None
    reason: Str256 | None = None
    user_login_id: Str256 | None = None
    user_id: str | None = None
    pass_through_info: str | None = None

    def _validate(self) -> None:
        kind = self.authorization_notify_type
        if kind is AuthorizationNotifyType.AUTHCODE_CREATED:
            if self.auth_code is None:
                raise MessageError("authCode", "missing (required with AUTHCODE_CREATED)")
            if self.auth_state is None:
                raise MessageError("authState", "missing (required with AUTHCODE_CREATED)")
        elif self.access_token is None:
            raise MessageError("accessToken", f"missing (required with {kind.value})")
