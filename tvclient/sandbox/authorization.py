"""Authorization: QRs from consult, the buyer's answer, authCodes, tokens, revoke and unlink.

States::

    QR (consult)   PENDING -> AGREED | DECLINED | LAPSED (15 min after consult)
    authCode       issued on AGREED, single use, lapses 60 s after issue
    binding        ACTIVE -> REVOKED (merchant revoke, or buyer unlink in the wallet)
    access token   valid until its expiry while its binding is ACTIVE

A binding is made by applyToken with an authCode; its refresh token stays the same for the
binding's life, and each refresh adds a new access token (older ones stay valid until their
own expiry). Revoking ends the binding: every access token and the refresh token stop working.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from tvclient.antom import codes
from tvclient.money import WALLET_RULES, Wallet
from tvclient.sandbox.buyers import Buyers, mask_login
from tvclient.sandbox.errors import ApiError, OperatorError
from tvclient.sandbox.ids import (
    new_access_token,
    new_auth_code,
    new_binding_id,
    new_qr_code,
    new_refresh_token,
)
from tvclient.sandbox.notifications import NotifyKind, Outbox
from tvclient.sandbox.store import Row, Store
from tvclient.sandbox.times import MINUTE_MS, SECOND_MS, iso

__all__ = [
    "AUTH_CODE_TTL_MS",
    "QR_TTL_MS",
    "SUPPORTED_WALLETS",
    "Authorizations",
    "ConsultStatus",
    "TokenLifetimes",
    "qr_code_from_value",
]

QR_TTL_MS = 15 * MINUTE_MS
AUTH_CODE_TTL_MS = 60 * SECOND_MS
SUPPORTED_WALLETS: frozenset[str] = frozenset(wallet.value for wallet in Wallet)
AUTHORIZE_PATH = "/wallet/authorize/"
QR_IMAGE_PATH = "/wallet/qr/"


class ConsultStatus:
    """States of a QR (plain strings in the database)."""

    PENDING = "PENDING"
    AGREED = "AGREED"
    DECLINED = "DECLINED"
    LAPSED = "LAPSED"


@dataclass(frozen=True, slots=True)
class TokenLifetimes:
    """How long access and refresh tokens live (settings; the reference gives no values)."""

    access: dt.timedelta
    refresh: dt.timedelta

    @property
    def access_ms(self) -> int:
        """Access token life in milliseconds."""
        return self.access // dt.timedelta(milliseconds=1)

    @property
    def refresh_ms(self) -> int:
        """Refresh token life in milliseconds."""
        return self.refresh // dt.timedelta(milliseconds=1)


def qr_code_from_value(value: str) -> str:
    """The QR's code from its text (the wallet-page URL) or from the bare code itself."""
    text = value.strip()
    if AUTHORIZE_PATH in text:
        text = text.split(AUTHORIZE_PATH, 1)[1]
    return text.split("?", 1)[0].split("#", 1)[0].strip("/")


def _success() -> dict[str, Any]:
    return codes.SUCCESS.result().to_json()


class Authorizations:
    """The authorization side of the sandbox (methods that write run in one transaction)."""

    def __init__(
        self,
        store: Store,
        buyers: Buyers,
        outbox: Outbox,
        *,
        lifetimes: TokenLifetimes,
        wallet_base_url: str,
    ) -> None:
        self._store = store
        self._buyers = buyers
        self._outbox = outbox
        self._lifetimes = lifetimes
        self._wallet_base_url = wallet_base_url.rstrip("/")

    # ------------------------------------------------------------------ consult
    def qr_url(self, code: str) -> str:
        """The QR text: the wallet page for this QR."""
        return f"{self._wallet_base_url}{AUTHORIZE_PATH}{code}"

    def consult(
        self,
        *,
        client_id: str,
        wallet: str,
        auth_state: str,
        scopes: tuple[str, ...],
        redirect_url: str,
        notify_url: str | None,
        auth_client_id: str | None,
        now_ms: int,
    ) -> dict[str, Any]:
        """Make a single-use QR bound to `auth_state`; the response fields besides `result`.

        Raises:
            ApiError: PARAM_ILLEGAL for a wallet the sandbox does not offer or no
                AGREEMENT_PAY scope.
        """
        if wallet not in SUPPORTED_WALLETS:
            offered = ", ".join(sorted(SUPPORTED_WALLETS))
            raise ApiError(
                codes.PARAM_ILLEGAL,
                f"customerBelongsTo: {wallet} does not offer Scan to Link here ({offered})",
            )
        if "AGREEMENT_PAY" not in scopes:
            raise ApiError(codes.PARAM_ILLEGAL, "scopes: Scan to Link needs AGREEMENT_PAY")
        code = new_qr_code()
        with self._store.transaction():
            self._store.execute(
                "INSERT INTO consults (code, client_id, wallet, auth_state, scopes, redirect_url, "
                "notify_url, auth_client_id, status, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?)",
                (
                    code, client_id, wallet, auth_state, json.dumps(list(scopes)), redirect_url,
                    notify_url, auth_client_id, now_ms, now_ms + QR_TTL_MS,
                ),
            )
        return {
            "authCodeForm": {
                "codeDetails": [
                    {
                        "codeValueType": "QRCODE",
                        "displayType": "TEXT",
                        "codeValue": self.qr_url(code),
                    },
                    {
                        "codeValueType": "QRCODE",
                        "displayType": "BIGIMAGE",
                        "codeValue": f"{self._wallet_base_url}{QR_IMAGE_PATH}{code}.png",
                    },
                ]
            }
        }

    def qr(self, code: str, now_ms: int) -> Row | None:
        """A QR by code, lapsed first if its 15 minutes are over."""
        row = self._store.one("SELECT * FROM consults WHERE code = ?", (code,))
        if (
            row is not None
            and row["status"] == ConsultStatus.PENDING
            and row["expires_at"] <= now_ms
        ):
            with self._store.transaction():
                self._store.execute(
                    "UPDATE consults SET status = 'LAPSED' WHERE code = ? AND status = 'PENDING'",
                    (code,),
                )
            row = self._store.one("SELECT * FROM consults WHERE code = ?", (code,))
        return row

    def lapse_due(self, now_ms: int) -> None:
        """Mark QRs whose 15 minutes are over as LAPSED."""
        next_at = self.next_lapse_at()
        if next_at is None or next_at > now_ms:
            return
        with self._store.transaction():
            self._store.execute(
                "UPDATE consults SET status = 'LAPSED' WHERE status = 'PENDING' "
                "AND expires_at <= ?",
                (now_ms,),
            )

    def next_lapse_at(self) -> int | None:
        """When the next pending QR lapses."""
        value = self._store.scalar(
            "SELECT MIN(expires_at) FROM consults WHERE status = 'PENDING'"
        )
        return None if value is None else int(value)

    def _pending_qr(self, code: str, now_ms: int) -> Row:
        row = self.qr(code, now_ms)
        if row is None:
            raise OperatorError(404, "QR_NOT_FOUND", "this QR code is not known to the sandbox")
        status = row["status"]
        if status == ConsultStatus.LAPSED:
            raise OperatorError(410, "QR_EXPIRED", "this QR code has expired")
        if status != ConsultStatus.PENDING:
            raise OperatorError(409, "QR_USED", "this QR code was already used")
        return row

    def _buyer_for(self, qr: Row, buyer_id: str | None) -> Row:
        if buyer_id is None:
            buyers = self._buyers.of_wallet(qr["wallet"])
            if not buyers:
                raise OperatorError(409, "NO_BUYER", f"no test buyer has a {qr['wallet']} wallet")
            return buyers[0]
        buyer = self._buyers.get(buyer_id)
        if buyer is None:
            raise OperatorError(404, "BUYER_NOT_FOUND", f"no test buyer {buyer_id!r}")
        if buyer["wallet"] != qr["wallet"]:
            raise OperatorError(
                409, "WRONG_WALLET", f"buyer {buyer_id} has a {buyer['wallet']} wallet, "
                f"this QR is for {qr['wallet']}"
            )
        return buyer

    # ------------------------------------------------------------------ the buyer's answer
    def approve(self, code: str, buyer_id: str | None, now_ms: int) -> dict[str, Any]:
        """The buyer agrees: issue an authCode and notify AUTHCODE_CREATED.

        Raises:
            OperatorError: unknown, used or lapsed QR; unknown buyer or one of another wallet.
        """
        qr = self._pending_qr(code, now_ms)
        buyer = self._buyer_for(qr, buyer_id)
        auth_code = new_auth_code()
        client = self._client(qr["client_id"])
        with self._store.transaction():
            self._store.execute(
                "UPDATE consults SET status = 'AGREED', buyer_id = ?, decided_at = ? "
                "WHERE code = ?",
                (buyer["buyer_id"], now_ms, code),
            )
            self._store.execute(
                "INSERT INTO auth_codes (auth_code, consult_code, client_id, wallet, buyer_id, "
                "auth_state, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    auth_code, code, qr["client_id"], qr["wallet"], buyer["buyer_id"],
                    qr["auth_state"], now_ms, now_ms + AUTH_CODE_TTL_MS,
                ),
            )
            body: dict[str, Any] = {
                "authorizationNotifyType": "AUTHCODE_CREATED",
                "authCode": auth_code,
                "authState": qr["auth_state"],
                "userLoginId": mask_login(buyer["login_id"]),
                "result": _success(),
            }
            if qr["auth_client_id"]:
                body["authClientId"] = qr["auth_client_id"]
            self._outbox.enqueue(
                client_id=qr["client_id"],
                kind=NotifyKind.AUTHORIZATION,
                subject=f"AUTHCODE_CREATED {qr['auth_state']}",
                url=qr["notify_url"] or (client["auth_notify_url"] if client else None),
                body=body,
                now_ms=now_ms,
            )
        return {
            "status": ConsultStatus.AGREED,
            "buyerId": buyer["buyer_id"],
            "authState": qr["auth_state"],
            "clientId": qr["client_id"],
            "wallet": qr["wallet"],
        }

    def decline(self, code: str, buyer_id: str | None, now_ms: int) -> dict[str, Any]:
        """The buyer declines: the QR is used up; nothing is notified (Antom notifies successes).

        Raises:
            OperatorError: unknown, used or lapsed QR; unknown buyer or one of another wallet.
        """
        qr = self._pending_qr(code, now_ms)
        buyer = self._buyer_for(qr, buyer_id)
        with self._store.transaction():
            self._store.execute(
                "UPDATE consults SET status = 'DECLINED', buyer_id = ?, decided_at = ? "
                "WHERE code = ?",
                (buyer["buyer_id"], now_ms, code),
            )
        return {"status": ConsultStatus.DECLINED, "buyerId": buyer["buyer_id"],
                "authState": qr["auth_state"], "clientId": qr["client_id"], "wallet": qr["wallet"]}

    # ------------------------------------------------------------------ applyToken
    def _token_fields(self, binding: Row, access_token: str, access_expires: int) -> dict[str, Any]:
        buyer = self._buyers.get(binding["buyer_id"])
        login = mask_login(buyer["login_id"]) if buyer else None
        fields: dict[str, Any] = {
            "accessToken": access_token,
            "accessTokenExpiryTime": iso(access_expires),
            "refreshToken": binding["refresh_token"],
            "refreshTokenExpiryTime": iso(binding["refresh_expires_at"]),
        }
        if login:
            fields["userLoginId"] = login
            fields["pspCustomerInfo"] = {
                "pspName": WALLET_RULES[Wallet(binding["wallet"])].display_name,
                "displayCustomerId": login,
            }
        return fields

    def _issue_access_token(self, binding_id: str, now_ms: int) -> tuple[str, int]:
        token = new_access_token()
        expires = now_ms + self._lifetimes.access_ms
        self._store.execute(
            "INSERT INTO access_tokens (access_token, binding_id, created_at, expires_at) "
            "VALUES (?, ?, ?, ?)",
            (token, binding_id, now_ms, expires),
        )
        return token, expires

    def apply_token_with_code(
        self, *, client_id: str, wallet: str, auth_code: str, now_ms: int
    ) -> dict[str, Any]:
        """Exchange an authCode for a binding with access and refresh tokens.

        Raises:
            ApiError: INVALID_CODE (unknown, used, another client's or another wallet's) or
                EXPIRED_CODE (older than 60 s).
        """
        row = self._store.one("SELECT * FROM auth_codes WHERE auth_code = ?", (auth_code,))
        if row is None or row["client_id"] != client_id or row["wallet"] != wallet:
            raise ApiError(
                codes.INVALID_CODE, "the authCode is not known for this client and wallet"
            )
        if row["used_at"] is not None:
            raise ApiError(codes.INVALID_CODE, "the authCode was already used")
        if row["expires_at"] <= now_ms:
            raise ApiError(codes.EXPIRED_CODE)
        consult = self._store.one("SELECT * FROM consults WHERE code = ?", (row["consult_code"],))
        binding_id = new_binding_id()
        refresh = new_refresh_token()
        with self._store.transaction():
            self._store.execute(
                "UPDATE auth_codes SET used_at = ?, binding_id = ? WHERE auth_code = ?",
                (now_ms, binding_id, auth_code),
            )
            self._store.execute(
                "INSERT INTO bindings (binding_id, client_id, wallet, buyer_id, auth_state, "
                "auth_client_id, notify_url, refresh_token, refresh_expires_at, status, "
                "created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?)",
                (
                    binding_id, client_id, wallet, row["buyer_id"], row["auth_state"],
                    consult["auth_client_id"] if consult else None,
                    consult["notify_url"] if consult else None,
                    refresh, now_ms + self._lifetimes.refresh_ms, now_ms,
                ),
            )
            token, expires = self._issue_access_token(binding_id, now_ms)
        binding = self._binding(binding_id)
        return self._token_fields(binding, token, expires)

    def apply_token_with_refresh(
        self, *, client_id: str, wallet: str, refresh_token: str, now_ms: int
    ) -> dict[str, Any]:
        """A new access token for a binding, by its refresh token.

        Raises:
            ApiError: INVALID_REFRESH_TOKEN (unknown, another client's or wallet's, expired,
                or its binding revoked).
        """
        binding = self._store.one(
            "SELECT * FROM bindings WHERE refresh_token = ?", (refresh_token,)
        )
        if (
            binding is None
            or binding["client_id"] != client_id
            or binding["wallet"] != wallet
            or binding["status"] != "ACTIVE"
            or binding["refresh_expires_at"] <= now_ms
        ):
            raise ApiError(codes.INVALID_REFRESH_TOKEN)
        with self._store.transaction():
            token, expires = self._issue_access_token(binding["binding_id"], now_ms)
        return self._token_fields(binding, token, expires)

    # ------------------------------------------------------------------ tokens in use
    def _binding(self, binding_id: str) -> Row:
        row = self._store.one("SELECT * FROM bindings WHERE binding_id = ?", (binding_id,))
        assert row is not None  # noqa: S101 - callers pass IDs read from the database
        return row

    def _client(self, client_id: str) -> Row | None:
        return self._store.one("SELECT * FROM clients WHERE client_id = ?", (client_id,))

    def binding_for_token(self, client_id: str, access_token: str, now_ms: int) -> Row:
        """The active binding an access token of `client_id` debits.

        Raises:
            ApiError: INVALID_ACCESS_TOKEN (unknown, another client's, revoked) or
                ACCESS_TOKEN_EXPIRED (past its expiry; refresh it).
        """
        row = self._store.one(
            "SELECT b.*, t.expires_at AS token_expires_at FROM access_tokens t "
            "JOIN bindings b ON b.binding_id = t.binding_id WHERE t.access_token = ?",
            (access_token,),
        )
        if row is None or row["client_id"] != client_id or row["status"] != "ACTIVE":
            raise ApiError(codes.INVALID_ACCESS_TOKEN)
        if row["token_expires_at"] <= now_ms:
            raise ApiError(codes.ACCESS_TOKEN_EXPIRED)
        return row

    def revoke(self, *, client_id: str, access_token: str, now_ms: int) -> dict[str, Any]:
        """End the binding of a valid access token; notify TOKEN_CANCELED.

        Raises:
            ApiError: INVALID_ACCESS_TOKEN when the token is unknown, another client's,
                expired or already revoked.
        """
        try:
            binding = self.binding_for_token(client_id, access_token, now_ms)
        except ApiError:
            # The revoke page lists one code for expired, revoked and unknown tokens.
            raise ApiError(codes.INVALID_ACCESS_TOKEN) from None
        self._end(binding, by="MERCHANT", reason=None, now_ms=now_ms)
        return {}

    def unlink(self, binding_id: str, buyer_id: str | None, now_ms: int) -> dict[str, Any]:
        """The buyer unlinks a merchant in the wallet; notify TOKEN_CANCELED.

        Raises:
            OperatorError: no such active binding (of that buyer, when one is named).
        """
        binding = self._store.one("SELECT * FROM bindings WHERE binding_id = ?", (binding_id,))
        if binding is None or (buyer_id is not None and binding["buyer_id"] != buyer_id):
            raise OperatorError(404, "BINDING_NOT_FOUND", "no such linked merchant")
        if binding["status"] != "ACTIVE":
            raise OperatorError(409, "ALREADY_UNLINKED", "this merchant is already unlinked")
        self._end(binding, by="BUYER", reason="The buyer unlinked the merchant in the wallet",
                  now_ms=now_ms)
        return {"bindingId": binding_id, "status": "REVOKED"}

    def _end(self, binding: Row, *, by: str, reason: str | None, now_ms: int) -> None:
        latest = self._store.scalar(
            "SELECT access_token FROM access_tokens WHERE binding_id = ? "
            "ORDER BY created_at DESC, rowid DESC LIMIT 1",
            (binding["binding_id"],),
        )
        client = self._client(binding["client_id"])
        with self._store.transaction():
            self._store.execute(
                "UPDATE bindings SET status = 'REVOKED', revoked_at = ?, revoked_by = ?, "
                "revoke_reason = ? WHERE binding_id = ?",
                (now_ms, by, reason, binding["binding_id"]),
            )
            body: dict[str, Any] = {
                "authorizationNotifyType": "TOKEN_CANCELED",
                "accessToken": latest,
                "result": _success(),
            }
            if binding["auth_client_id"]:
                body["authClientId"] = binding["auth_client_id"]
            if reason:
                body["reason"] = reason
            self._outbox.enqueue(
                client_id=binding["client_id"],
                kind=NotifyKind.AUTHORIZATION,
                subject=f"TOKEN_CANCELED {binding['binding_id']}",
                url=binding["notify_url"] or (client["auth_notify_url"] if client else None),
                body=body,
                now_ms=now_ms,
            )

    # ------------------------------------------------------------------ views
    def bindings_of(self, buyer_id: str) -> list[Row]:
        """A buyer's active bindings with the merchant's name (the linked-merchants page)."""
        return self._store.all(
            "SELECT b.*, c.merchant_name FROM bindings b JOIN clients c "
            "ON c.client_id = b.client_id WHERE b.buyer_id = ? AND b.status = 'ACTIVE' "
            "ORDER BY b.created_at",
            (buyer_id,),
        )

    def merchant_name(self, client_id: str) -> str:
        """The display name of a merchant client."""
        client = self._client(client_id)
        return str(client["merchant_name"]) if client else client_id
