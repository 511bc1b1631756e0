"""A scripted in-memory Antom for the merchant's unit-level tests, and a notification sender."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from tvclient.antom.headers import epoch_millis
from tvclient.antom.keys import RSAPrivateKey
from tvclient.antom.signing import request_headers
from tvclient.merchant.antom_port import AntomReply, Api

Reply = AntomReply | Callable[[Mapping[str, Any]], AntomReply]

OK = {"resultCode": "SUCCESS", "resultStatus": "S", "resultMessage": "success"}


def unknown(code: str = "UNKNOWN_EXCEPTION") -> AntomReply:
    """A U reply."""
    return AntomReply("U", code, "outcome unknown")


def failed(code: str) -> AntomReply:
    """An F reply."""
    return AntomReply("F", code, code.lower())


class FakeAntom:
    """Answers every API like a well-behaved Antom unless a reply is scripted for it."""

    def __init__(self, now: Callable[[], dt.datetime]) -> None:
        self.now = now
        self.calls: list[tuple[Api, dict[str, Any]]] = []
        self.call_times: list[tuple[Api, float]] = []
        self.monotonic: Callable[[], float] | None = None
        self.scripts: dict[Api, list[Reply]] = defaultdict(list)
        self.payments: dict[str, str] = {}
        self.charged: dict[str, int] = defaultdict(int)
        self._seq = itertools.count(1)
        self.token_life = dt.timedelta(days=30)

    def script(self, api: Api, *replies: Reply) -> None:
        """Answer the next calls of `api` with these replies, in order."""
        self.scripts[api].extend(replies)

    def count(self, api: Api) -> int:
        """How many times `api` was called."""
        return sum(1 for called, _ in self.calls if called == api)

    def bodies(self, api: Api) -> list[dict[str, Any]]:
        """The bodies sent to `api`."""
        return [body for called, body in self.calls if called == api]

    def times(self, api: Api) -> list[float]:
        """When (clock monotonic) `api` was called."""
        return [when for called, when in self.call_times if called == api]

    def last_auth_state(self) -> str:
        """The authState of the latest consult."""
        return str(self.bodies(Api.CONSULT)[-1]["authState"])

    async def call(self, api: Api, body: Mapping[str, Any]) -> AntomReply:
        """Record the call and answer it."""
        self.calls.append((api, json.loads(json.dumps(body))))
        if self.monotonic is not None:
            self.call_times.append((api, self.monotonic()))
        if self.scripts[api]:
            reply = self.scripts[api].pop(0)
            return reply(body) if callable(reply) else reply
        return self.default(api, body)

    def default(self, api: Api, body: Mapping[str, Any]) -> AntomReply:  # noqa: PLR0911
        """The happy-path answer."""
        n = next(self._seq)
        now = self.now().isoformat()
        if api is Api.CONSULT:
            detail = {
                "codeValueType": "QRCODE",
                "displayType": "TEXT",
                "codeValue": f"https://wallet.example/qr/{body['authState'][:10]}",
            }
            return AntomReply("S", "SUCCESS", "", {"authCodeForm": {"codeDetails": [detail]}})
        if api is Api.APPLY_TOKEN:
            return AntomReply(
                "S",
                "SUCCESS",
                "",
                {
                    "accessToken": f"access-{n}",
                    "accessTokenExpiryTime": (self.now() + self.token_life).isoformat(),
                    "refreshToken": f"refresh-{n}",
                    "refreshTokenExpiryTime": (self.now() + 12 * self.token_life).isoformat(),
                    "userLoginId": "85212345678",
                },
            )
        if api is Api.PAY:
            request_id = body["paymentRequestId"]
            if self.payments.get(request_id) != "SUCCESS":
                self.charged[request_id] += 1
            self.payments[request_id] = "SUCCESS"
            return AntomReply("S", "SUCCESS", "", self.payment(body))
        if api is Api.INQUIRY_PAYMENT:
            request_id = body["paymentRequestId"]
            status = self.payments.get(request_id)
            if status is None:
                return failed("ORDER_NOT_EXIST")
            return AntomReply(
                "S",
                "SUCCESS",
                "",
                {
                    "paymentStatus": status,
                    "paymentRequestId": request_id,
                    "paymentId": "p-" + request_id,
                },
            )
        if api is Api.CANCEL:
            request_id = body["paymentRequestId"]
            if request_id not in self.payments:
                return failed("ORDER_NOT_EXIST")
            self.payments[request_id] = "CANCELLED"
            return AntomReply(
                "S", "SUCCESS", "", {"paymentRequestId": request_id, "cancelTime": now}
            )
        if api is Api.REFUND:
            return AntomReply(
                "S",
                "SUCCESS",
                "",
                {"refundId": f"r-{n}", "refundRequestId": body["refundRequestId"]},
            )
        if api is Api.INQUIRY_REFUND:
            return AntomReply("S", "SUCCESS", "", {"refundStatus": "SUCCESS", "refundId": f"r-{n}"})
        if api is Api.DECLARE:
            return AntomReply("S", "SUCCESS", "", {"customsPaymentId": f"c-{n}"})
        if api is Api.INQUIRY_DECLARATION_REQUESTS:
            records = [
                {"declarationRequestId": rid, "declarationRequestStatus": "SUCCESS"}
                for rid in body["declarationRequestIds"]
            ]
            return AntomReply("S", "SUCCESS", "", {"declarationRecords": records})
        return AntomReply("S", "SUCCESS", "", {})

    def payment(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """A pay / inquiry success body for a pay request."""
        request_id = body["paymentRequestId"]
        return {
            "paymentRequestId": request_id,
            "paymentId": "p-" + request_id,
            "paymentAmount": body["paymentAmount"],
            "paymentTime": self.now().isoformat(),
        }


async def send_notification(
    client: httpx.AsyncClient,
    path: str,
    body: Mapping[str, Any],
    *,
    key: RSAPrivateKey,
    client_id: str,
    when: dt.datetime,
) -> httpx.Response:
    """POST a notification signed as Antom signs it (over the notify path)."""
    raw = json.dumps(body, separators=(",", ":")).encode()
    headers = request_headers(
        key, method="POST", path=path, client_id=client_id, time=epoch_millis(when), body=raw
    )
    return await client.post(path, content=raw, headers=headers)


def auth_code_created(auth_state: str, auth_code: str = "code-1") -> dict[str, Any]:
    """An AUTHCODE_CREATED notification body."""
    return {
        "authorizationNotifyType": "AUTHCODE_CREATED",
        "authState": auth_state,
        "authCode": auth_code,
        "userLoginId": "852****5678",
        "result": OK,
    }


def token_canceled(access_token: str) -> dict[str, Any]:
    """A TOKEN_CANCELED notification body."""
    return {"authorizationNotifyType": "TOKEN_CANCELED", "accessToken": access_token, "result": OK}


def payment_result(
    request_id: str,
    amount: Mapping[str, Any],
    *,
    status: str = "S",
    code: str = "SUCCESS",
    when: dt.datetime,
) -> dict[str, Any]:
    """A PAYMENT_RESULT notification body."""
    return {
        "notifyType": "PAYMENT_RESULT",
        "result": {"resultCode": code, "resultStatus": status, "resultMessage": code.lower()},
        "paymentRequestId": request_id,
        "paymentId": "p-" + request_id,
        "paymentAmount": dict(amount),
        "paymentCreateTime": when.isoformat(),
        **({"paymentTime": when.isoformat()} if status == "S" else {}),
    }
