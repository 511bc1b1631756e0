"""The async Antom client: signs requests, verifies responses, returns typed outcomes.

The client never raises for what happens on the wire. Every call returns an `Outcome`:
`Success` (S), `Failure` (F) or `Unknown` (U, or any transport problem: timeout, connection
error, HTTP 5xx or another non-200 status, an unparseable, unsigned or badly signed response).

**No retries happen here.** Whether and when to retry, query or cancel depends on the API and
on what the caller has recorded (reference §2.5, §8.1), so that policy belongs to the merchant
backend; a retry is simply another call with the same request.
"""

from __future__ import annotations

import json
import logging
from typing import Any, TypeVar

import httpx

from tvclient.antom.errors import MessageError, SignatureError
from tvclient.antom.headers import (
    CLIENT_ID,
    RESPONSE_TIME,
    SIGNATURE,
    epoch_millis,
    get_header,
    parse_signature_header,
)
from tvclient.antom.keys import RSAPrivateKey, RSAPublicKey
from tvclient.antom.messages.authorization import (
    ApplyTokenRequest,
    ApplyTokenResponse,
    ConsultRequest,
    ConsultResponse,
    RevokeRequest,
    RevokeResponse,
)
from tvclient.antom.messages.customs import (
    DeclareRequest,
    DeclareResponse,
    InquiryDeclarationRequestsRequest,
    InquiryDeclarationRequestsResponse,
)
from tvclient.antom.messages.payment import (
    CancelRequest,
    CancelResponse,
    InquiryPaymentRequest,
    InquiryPaymentResponse,
    PayRequest,
    PayResponse,
)
from tvclient.antom.messages.refund import (
    InquiryRefundRequest,
    InquiryRefundResponse,
    RefundRequest,
    RefundResponse,
)
from tvclient.antom.messages.registry import request_type
from tvclient.antom.outcomes import Failure, Outcome, Success, Unknown, UnknownReason
from tvclient.antom.paths import Api, path_for
from tvclient.antom.result import Result, ResultStatus
from tvclient.antom.signing import SignedParts, request_headers, verify
from tvclient.antom.wire import Message
from tvclient.clock import Clock

__all__ = ["DEFAULT_TIMEOUT", "AntomClient"]

R = TypeVar("R", bound=Message)

DEFAULT_TIMEOUT = 10.0
"""Seconds a call may take before its outcome is Unknown(TIMEOUT)."""

_LOG = logging.getLogger(__name__)
# Fields that identify a request in logs; secrets (tokens, auth codes) are never among them.
_ID_FIELDS = (
    "paymentRequestId", "refundRequestId", "declarationRequestId", "authState", "paymentId",
    "refundId", "declarationRequestIds", "grantType",
)


def _request_id(body: dict[str, Any]) -> str:
    for name in _ID_FIELDS:
        value = body.get(name)
        if value is not None:
            return f"{name}={value}"
    return "-"


class AntomClient:
    """Calls the Antom Open API (or the sandbox) for one merchant client ID.

    Args:
        http: the HTTP client to send with; its transport decides where requests go (tests
            pass `httpx.ASGITransport` or `httpx.MockTransport`). The caller owns and closes it.
        base_url: an Antom region (`paths.ASIA`...) or a sandbox origin, e.g.
            `http://127.0.0.1:8080`. A path in it is kept in front of the API path and signed.
        client_id: the merchant's client ID; `SANDBOX_` IDs call `/ams/sandbox/api/...`.
        private_key: the merchant private key that signs requests.
        antom_public_key: Antom's public key that verifies responses.
        clock: stamps `Request-Time` (epoch ms) and measures durations.
        key_version: the `keyVersion` sent in the Signature header.
        timeout_seconds: default seconds per call (httpx's connect / read / write / pool
            timeouts); each call may override it with its own `timeout_seconds`.
        require_signed_responses: when False, responses without a signature are accepted
            (as Antom's Java SDK does); a signature that is present is always verified.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        client_id: str,
        private_key: RSAPrivateKey,
        antom_public_key: RSAPublicKey,
        clock: Clock,
        key_version: int = 1,
        timeout_seconds: float = DEFAULT_TIMEOUT,
        require_signed_responses: bool = True,
    ) -> None:
        url = httpx.URL(base_url)
        if url.scheme not in {"http", "https"} or not url.host:
            raise ValueError(f"Antom base URL must be an absolute http(s) URL, not {base_url!r}")
        self._origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        self._base_path = url.path.rstrip("/")
        self._http = http
        self._client_id = client_id
        self._private_key = private_key
        self._antom_key = antom_public_key
        self._clock = clock
        self._key_version = key_version
        self._timeout = timeout_seconds
        self._require_signed = require_signed_responses

    @property
    def client_id(self) -> str:
        """The merchant client ID this client signs as."""
        return self._client_id

    def path(self, api: Api) -> str:
        """The path sent and signed for `api` (base path + live or sandbox API path)."""
        return self._base_path + path_for(api, self._client_id)

    # ------------------------------------------------------------------ one method per API
    async def consult(
        self, request: ConsultRequest, *, timeout_seconds: float | None = None
    ) -> Outcome[ConsultResponse]:
        """Call consult (obtain the authorization QR)."""
        return await self.call(
            Api.CONSULT, request, ConsultResponse, timeout_seconds=timeout_seconds
        )

    async def apply_token(
        self, request: ApplyTokenRequest, *, timeout_seconds: float | None = None
    ) -> Outcome[ApplyTokenResponse]:
        """Call applyToken (authCode or refresh token to access token)."""
        return await self.call(
            Api.APPLY_TOKEN, request, ApplyTokenResponse, timeout_seconds=timeout_seconds
        )

    async def revoke(
        self, request: RevokeRequest, *, timeout_seconds: float | None = None
    ) -> Outcome[RevokeResponse]:
        """Call revoke (unbind from the merchant side)."""
        return await self.call(
            Api.REVOKE, request, RevokeResponse, timeout_seconds=timeout_seconds
        )

    async def pay(
        self, request: PayRequest, *, timeout_seconds: float | None = None
    ) -> Outcome[PayResponse]:
        """Call pay."""
        return await self.call(
            Api.PAY, request, PayResponse, timeout_seconds=timeout_seconds
        )

    async def inquiry_payment(
        self, request: InquiryPaymentRequest, *, timeout_seconds: float | None = None
    ) -> Outcome[InquiryPaymentResponse]:
        """Call inquiryPayment."""
        return await self.call(
            Api.INQUIRY_PAYMENT, request, InquiryPaymentResponse, timeout_seconds=timeout_seconds
        )

    async def cancel(
        self, request: CancelRequest, *, timeout_seconds: float | None = None
    ) -> Outcome[CancelResponse]:
        """Call cancel."""
        return await self.call(
            Api.CANCEL, request, CancelResponse, timeout_seconds=timeout_seconds
        )

    async def refund(
        self, request: RefundRequest, *, timeout_seconds: float | None = None
    ) -> Outcome[RefundResponse]:
        """Call refund."""
        return await self.call(
            Api.REFUND, request, RefundResponse, timeout_seconds=timeout_seconds
        )

    async def inquiry_refund(
        self, request: InquiryRefundRequest, *, timeout_seconds: float | None = None
    ) -> Outcome[InquiryRefundResponse]:
        """Call inquiryRefund."""
        return await self.call(
            Api.INQUIRY_REFUND, request, InquiryRefundResponse, timeout_seconds=timeout_seconds
        )

    async def declare(
        self, request: DeclareRequest, *, timeout_seconds: float | None = None
    ) -> Outcome[DeclareResponse]:
        """Call declare (China customs)."""
        return await self.call(
            Api.DECLARE, request, DeclareResponse, timeout_seconds=timeout_seconds
        )

    async def inquiry_declaration_requests(
        self, request: InquiryDeclarationRequestsRequest, *, timeout_seconds: float | None = None
    ) -> Outcome[InquiryDeclarationRequestsResponse]:
        """Call inquiryDeclarationRequests (China customs)."""
        return await self.call(
            Api.INQUIRY_DECLARATION_REQUESTS,
            request,
            InquiryDeclarationRequestsResponse,
            timeout_seconds=timeout_seconds,
        )

    # ------------------------------------------------------------------ the one way to call
    async def call(
        self,
        api: Api,
        request: Message,
        response_type: type[R],
        *,
        timeout_seconds: float | None = None,
    ) -> Outcome[R]:
        """Sign and send `request` to `api`; return the typed outcome (never raises for I/O).

        Raises:
            TypeError: `request` is not the request type of `api` (a programming error).
        """
        expected = request_type(api)
        if not isinstance(request, expected):
            raise TypeError(
                f"{api.api_name} takes {expected.__name__}, not {type(request).__name__}"
            )
        body = request.to_bytes()
        path = self.path(api)
        headers = request_headers(
            self._private_key,
            method="POST",
            path=path,
            client_id=self._client_id,
            time=epoch_millis(self._clock.now()),
            body=body,
            key_version=self._key_version,
        )
        started = self._clock.monotonic()
        outcome = await self._exchange(path, headers, body, response_type, timeout_seconds)
        self._log(api, request, outcome, self._clock.monotonic() - started)
        return outcome

    async def _exchange(
        self,
        path: str,
        headers: dict[str, str],
        body: bytes,
        response_type: type[R],
        timeout_seconds: float | None,
    ) -> Outcome[R]:
        seconds = self._timeout if timeout_seconds is None else timeout_seconds
        try:
            response = await self._http.post(
                self._origin + path, content=body, headers=headers, timeout=httpx.Timeout(seconds)
            )
        except httpx.TimeoutException as exc:
            return Unknown(UnknownReason.TIMEOUT, f"no response within {seconds:g} s ({exc!r})")
        except httpx.RequestError as exc:
            return Unknown(UnknownReason.CONNECTION_ERROR, f"{type(exc).__name__}: {exc}")
        status = response.status_code
        if status >= 500:
            return Unknown(UnknownReason.SERVER_ERROR, f"HTTP {status}", http_status=status)
        if status != 200:
            return Unknown(UnknownReason.HTTP_STATUS, f"HTTP {status}", http_status=status)
        problem = self._check_signature(path, response.headers, response.content)
        if problem is not None:
            return Unknown(problem[0], problem[1], http_status=status)
        return self._interpret(response.content, response_type)

    def _check_signature(
        self, path: str, headers: httpx.Headers, body: bytes
    ) -> tuple[UnknownReason, str] | None:
        signature = get_header(headers, SIGNATURE)
        if signature is None:
            if self._require_signed:
                return UnknownReason.UNSIGNED, "response has no signature header"
            return None
        time = get_header(headers, RESPONSE_TIME)
        if time is None:
            return UnknownReason.BAD_SIGNATURE, "signed response has no response-time header"
        client_id = get_header(headers, CLIENT_ID) or self._client_id
        if client_id != self._client_id:
            return UnknownReason.BAD_SIGNATURE, f"response is for client {client_id!r}"
        try:
            parts = SignedParts(client_id, time, parse_signature_header(signature))
            verify(self._antom_key, method="POST", path=path, parts=parts, body=body)
        except SignatureError as exc:
            return UnknownReason.BAD_SIGNATURE, str(exc)
        return None

    @staticmethod
    def _decode(body: bytes) -> tuple[dict[str, Any], Result] | str:
        """The body object and its result, or what is wrong with the body."""
        try:
            obj = json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError):
            return "response body is not JSON"
        if not isinstance(obj, dict):
            return "response body is not a JSON object"
        try:
            return obj, Result.parse_at(obj.get("result"), "result")
        except MessageError as exc:
            return str(exc)

    def _interpret(self, body: bytes, response_type: type[R]) -> Outcome[R]:
        decoded = self._decode(body)
        if isinstance(decoded, str):
            return Unknown(UnknownReason.BAD_RESPONSE, decoded, http_status=200)
        obj, result = decoded
        try:
            typed: R | None = response_type.from_json(obj)
            problem = ""
        except MessageError as exc:
            typed, problem = None, str(exc)
        if result.result_status is ResultStatus.FAILURE:
            return Failure(result, typed)
        if result.result_status is ResultStatus.UNKNOWN:
            detail = f"{result.result_code}: {result.result_message or ''}".rstrip(": ")
            return Unknown(UnknownReason.RESULT_UNKNOWN, detail, result, typed, http_status=200)
        if typed is None:
            return Unknown(
                UnknownReason.BAD_RESPONSE,
                f"success response breaks the reference: {problem}",
                result,
                http_status=200,
            )
        return Success(typed)

    def _log(self, api: Api, request: Message, outcome: Outcome[Any], seconds: float) -> None:
        signature_trouble = isinstance(outcome, Unknown) and outcome.reason in {
            UnknownReason.BAD_SIGNATURE, UnknownReason.UNSIGNED
        }
        if not signature_trouble and not _LOG.isEnabledFor(logging.DEBUG):
            return
        request_id = _request_id(request.to_json())
        millis = round(seconds * 1000)
        match outcome:
            case Success(response=response):
                _LOG.debug("antom %s %s -> S %s in %d ms", api.api_name, request_id,
                           getattr(response, "result").result_code, millis)  # noqa: B009
            case Failure(result=result):
                _LOG.debug("antom %s %s -> F %s in %d ms", api.api_name, request_id,
                           result.result_code, millis)
            case Unknown(reason=reason, detail=detail):
                level = logging.WARNING if signature_trouble else logging.DEBUG
                _LOG.log(level, "antom %s %s -> unknown (%s: %s) in %d ms", api.api_name,
                         request_id, reason.value, detail, millis)
