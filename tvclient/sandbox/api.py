"""The Antom Open API as the sandbox serves it: verify, parse, fault, dispatch, sign.

Every call, under `/ams/api/v1/...` or `/ams/sandbox/api/v1/...`, goes through the same steps:

1. the path must be an Antom API (`NO_INTERFACE_DEF`) and the method POST (`METHOD_NOT_SUPPORTED`);
2. `Client-Id` must name a registered client (`CLIENT_INVALID`); `Request-Time` and `Signature`
   must be present and readable (`INVALID_SIGNATURE`), `keyVersion` 1 (`KEY_NOT_FOUND`), and
   the signature must verify with the client's public key over the path as received
   (`INVALID_SIGNATURE`);
3. the body must be a JSON document (`MEDIA_TYPE_NOT_ACCEPTABLE`) and a valid message of the
   API (`PARAM_ILLEGAL`, naming the field);
4. an armed fault for the API applies;
5. the handler runs (its failures are Antom results, never exceptions out of here).

Every answer — success or failure — is HTTP 200 with a `result`, signed with the sandbox's
key (`client-id`, `response-time`, `signature` headers). Nothing here answers 500: an
unexpected error rolls its transaction back and answers `U` / `UNKNOWN_EXCEPTION`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tvclient.antom import codes
from tvclient.antom.codes import ResultCode
from tvclient.antom.errors import MessageError, SignatureError, UnknownApiError
from tvclient.antom.headers import CLIENT_ID, epoch_millis, get_header, parse_time_header
from tvclient.antom.messages import (
    ApplyTokenRequest,
    CancelRequest,
    ConsultRequest,
    DeclareRequest,
    GrantType,
    InquiryDeclarationRequestsRequest,
    InquiryPaymentRequest,
    InquiryRefundRequest,
    PayRequest,
    ProductCode,
    RefundRequest,
    RevokeRequest,
    request_type,
)
from tvclient.antom.paths import Api, api_for_path
from tvclient.antom.signing import read_request_headers, response_headers, verify
from tvclient.antom.wire import Message
from tvclient.clock import ScaledClock
from tvclient.sandbox.clocks import ShiftedClock
from tvclient.sandbox.core import Sandbox
from tvclient.sandbox.customs import Declaration
from tvclient.sandbox.errors import ApiError
from tvclient.sandbox.faults import Fault, FaultKind
from tvclient.sandbox.payments import Outcome, PayOrder
from tvclient.sandbox.refunds import RefundOrder

__all__ = ["API_METHODS", "MAX_BODY_BYTES", "AntomApi"]

_log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
# Methods routed to the API endpoint, so that all but POST get an Antom-shaped refusal.
API_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_JSON_TYPES = ("application/json", "text/json")
Handler = Callable[[str, Any, "Fault | None", int], Outcome]


@functools.lru_cache(maxsize=512)
def _result_frozen(code: ResultCode, message: str) -> tuple[tuple[str, str], ...]:
    return tuple(code.result(message).to_json().items())


def _result_json(code: ResultCode, message: str) -> dict[str, Any]:
    """The `result` object (built once per code and message; most answers repeat)."""
    return dict(_result_frozen(code, message))


def _ok(fields: dict[str, Any]) -> Outcome:
    return Outcome(codes.SUCCESS, codes.SUCCESS.meaning, fields)


class AntomApi:
    """The Starlette endpoint behind both API prefixes."""

    def __init__(self, sandbox: Sandbox, *, signer: Executor | None = None) -> None:
        self._sandbox = sandbox
        # RSA signing releases the GIL: in a thread it overlaps other requests' work. A lone
        # request signs inline, since the hand-over to a thread would only add latency.
        self._signer = signer
        self._in_flight = 0
        self._handlers: dict[Api, Handler] = {
            Api.CONSULT: self._consult,
            Api.APPLY_TOKEN: self._apply_token,
            Api.REVOKE: self._revoke,
            Api.PAY: self._pay,
            Api.INQUIRY_PAYMENT: self._inquiry_payment,
            Api.CANCEL: self._cancel,
            Api.REFUND: self._refund,
            Api.INQUIRY_REFUND: self._inquiry_refund,
            Api.DECLARE: self._declare,
            Api.INQUIRY_DECLARATION_REQUESTS: self._inquiry_declarations,
        }

    # ------------------------------------------------------------------ the pipeline
    async def handle(self, request: Request) -> Response:
        """Answer one Antom API call (the Starlette endpoint)."""
        raw_path: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
        path = raw_path.decode("latin-1")
        query = request.scope.get("query_string", b"")
        if query:
            path = f"{path}?{query.decode('latin-1')}"
        client_id = (get_header(request.headers, CLIENT_ID) or "").strip()
        self._in_flight += 1
        try:
            try:
                outcome, fault = await self._process(request, path, client_id)
            except ApiError as failure:
                outcome, fault = Outcome(failure.code, failure.message, {}), None
            except Exception:  # noqa: BLE001 - the API must answer even what nobody foresaw
                _log.exception("unexpected error answering %s", path)
                self._sandbox.faults.load()
                outcome, fault = Outcome(codes.UNKNOWN_EXCEPTION, "internal error", {}), None
            response = await self._signed(path, client_id, outcome)
        finally:
            self._in_flight -= 1
        if fault is not None:
            response = await self._after(fault, response)
        return response

    async def _process(
        self, request: Request, path: str, client_id: str
    ) -> tuple[Outcome, Fault | None]:
        try:
            api = api_for_path(path)
        except UnknownApiError:
            shown = path.split("?", maxsplit=1)[0][:200]
            raise ApiError(codes.NO_INTERFACE_DEF, f"no API at {shown}") from None
        if request.method != "POST":
            raise ApiError(codes.METHOD_NOT_SUPPORTED)
        body = await self._read_body(request)
        message = self._verified_message(api, path, client_id, request, body)
        sandbox = self._sandbox
        fault = None
        if sandbox.faults.armed(api.api_name):
            with sandbox.store.transaction():
                fault = sandbox.faults.take(api.api_name)
        if fault is not None:
            early = await self._before(fault, api)
            if early is not None:
                # An unprocessed HTTP error still answers with its status afterwards.
                return early, fault if fault.kind is FaultKind.HTTP_ERROR else None
        outcome = self._run(api, client_id, message, fault)
        return outcome, fault

    def _run(self, api: Api, client_id: str, message: Message, fault: Fault | None) -> Outcome:
        try:
            return self._handlers[api](client_id, message, fault, self._sandbox.now_ms())
        except ApiError as failure:
            return Outcome(failure.code, failure.message, {})

    async def _read_body(self, request: Request) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise ApiError(
                    codes.PARAM_ILLEGAL, f"the body is larger than {MAX_BODY_BYTES} bytes"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _verified_message(
        self, api: Api, path: str, client_id: str, request: Request, body: bytes
    ) -> Message:
        if not client_id:
            raise ApiError(codes.CLIENT_INVALID, "the Client-Id header is missing")
        key = self._sandbox.client_key(client_id)
        if key is None:
            raise ApiError(codes.CLIENT_INVALID, "no such client")
        try:
            parts = read_request_headers(request.headers)
        except SignatureError as exc:
            raise ApiError(codes.INVALID_SIGNATURE, str(exc)) from None
        if parts.signature.key_version not in (None, 1):
            raise ApiError(
                codes.KEY_NOT_FOUND,
                f"no key version {parts.signature.key_version} for this client",
            )
        try:
            verify(key, method="POST", path=path, parts=parts, body=body)
        except SignatureError:
            raise ApiError(
                codes.INVALID_SIGNATURE,
                "the signature does not verify with the client's public key",
            ) from None
        content_type = request.headers.get("content-type", "").lower()
        if content_type and not content_type.startswith(_JSON_TYPES):
            raise ApiError(codes.MEDIA_TYPE_NOT_ACCEPTABLE, "the body must be JSON")
        try:
            document = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ApiError(
                codes.MEDIA_TYPE_NOT_ACCEPTABLE, "the body is not UTF-8 JSON"
            ) from None
        try:
            message = request_type(api).from_json(document)
        except MessageError as exc:
            raise ApiError(codes.PARAM_ILLEGAL, str(exc)[:256]) from None
        except RecursionError:
            raise ApiError(codes.PARAM_ILLEGAL, "the body is nested too deeply") from None
        if isinstance(message, PayRequest):
            message = self._expiry_in_sandbox_time(message, parts.time)
        return message

    def _expiry_in_sandbox_time(self, req: PayRequest, request_time: str) -> PayRequest:
        """A merchant's `paymentExpiryTime`, moved onto a time-scaled sandbox's clock.

        A merchant computes the expiry on its own (real) clock. A sandbox whose clock runs
        ahead of real time (`--timescale`, or resumed after a scaled run) saw every such expiry
        as already past and refused every pay with PARAM_ILLEGAL, so no merchant backend could
        work with it (found by bench/chaos.py; tests/reliability/test_clock_skew.py). Here the
        expiry keeps its distance from the request's own signed `Request-Time` (same clock as
        the expiry) and is placed that far after the sandbox's now, on arrival. On the real
        clock nothing changes: the expiry is compared with the sandbox's clock, as Antom does.
        """
        if req.payment_expiry_time is None or not isinstance(
            self._sandbox.clock, ScaledClock | ShiftedClock
        ):
            return req
        try:
            sent = parse_time_header(request_time)
        except SignatureError:
            return req  # unreadable time: compared as sent, as on the real clock
        lead = req.payment_expiry_time - sent
        return dataclasses.replace(req, payment_expiry_time=self._sandbox.clock.now() + lead)

    # ------------------------------------------------------------------ faults
    async def _before(self, fault: Fault, api: Api) -> Outcome | None:
        """Apply the part of a fault that comes before processing; an outcome ends the call."""
        clock = self._sandbox.clock
        if fault.kind is FaultKind.LATENCY:
            await clock.sleep(fault.seconds)
        elif fault.kind is FaultKind.UNKNOWN and api not in (Api.PAY, Api.REFUND):
            return Outcome(codes.UNKNOWN_EXCEPTION, "injected unknown outcome (not processed)", {})
        elif fault.kind in (FaultKind.TIMEOUT, FaultKind.HTTP_ERROR) and not fault.processed:
            if fault.kind is FaultKind.TIMEOUT:
                await clock.sleep(fault.seconds)
            return Outcome(codes.UNKNOWN_EXCEPTION, "injected fault (not processed)", {})
        return None

    async def _after(self, fault: Fault, response: Response) -> Response:
        """Apply the part of a fault that comes after processing."""
        if fault.kind is FaultKind.TIMEOUT:
            await self._sandbox.clock.sleep(fault.seconds)
        elif fault.kind is FaultKind.HTTP_ERROR:
            return Response(
                f"sandbox: injected HTTP {fault.status}\n",
                status_code=fault.status,
                media_type="text/plain",
            )
        return response

    # ------------------------------------------------------------------ answers
    async def _signed(self, path: str, client_id: str, outcome: Outcome) -> Response:
        body_obj: dict[str, Any] = {"result": _result_json(outcome.code, outcome.message)}
        body_obj.update(outcome.fields)
        body = json.dumps(body_obj, separators=(",", ":"), ensure_ascii=False).encode()
        sign = functools.partial(
            response_headers,
            self._sandbox.identity.antom_private_key,
            method="POST",
            path=path,
            client_id=client_id,
            time=epoch_millis(self._sandbox.clock.now()),
            body=body,
        )
        if self._signer is None or self._in_flight <= 1:
            headers = sign()
        else:
            headers = await asyncio.get_running_loop().run_in_executor(self._signer, sign)
        return Response(body, status_code=200, headers=headers)

    # ------------------------------------------------------------------ handlers
    def _consult(
        self, client_id: str, req: ConsultRequest, _fault: Fault | None, now: int
    ) -> Outcome:
        return _ok(
            self._sandbox.auths.consult(
                client_id=client_id,
                wallet=req.customer_belongs_to,
                auth_state=req.auth_state,
                scopes=tuple(scope.value for scope in req.scopes),
                redirect_url=req.auth_redirect_url,
                notify_url=req.auth_notify_url,
                auth_client_id=req.auth_client_id,
                now_ms=now,
            )
        )

    def _apply_token(
        self, client_id: str, req: ApplyTokenRequest, _fault: Fault | None, now: int
    ) -> Outcome:
        auths = self._sandbox.auths
        if req.grant_type is GrantType.AUTHORIZATION_CODE:
            assert req.auth_code is not None  # noqa: S101 - the message requires it
            return _ok(auths.apply_token_with_code(
                client_id=client_id, wallet=req.customer_belongs_to, auth_code=req.auth_code,
                now_ms=now,
            ))
        assert req.refresh_token is not None  # noqa: S101 - the message requires it
        return _ok(auths.apply_token_with_refresh(
            client_id=client_id, wallet=req.customer_belongs_to,
            refresh_token=req.refresh_token, now_ms=now,
        ))

    def _revoke(
        self, client_id: str, req: RevokeRequest, _fault: Fault | None, now: int
    ) -> Outcome:
        return _ok(self._sandbox.auths.revoke(
            client_id=client_id, access_token=req.access_token, now_ms=now
        ))

    def _pay(self, client_id: str, req: PayRequest, fault: Fault | None, now: int) -> Outcome:
        if req.product_code is not ProductCode.AGREEMENT_PAYMENT:
            raise ApiError(
                codes.PARAM_ILLEGAL, "productCode: the sandbox serves AGREEMENT_PAYMENT only"
            )
        assert req.payment_method.payment_method_id is not None  # noqa: S101 - message rule
        order = PayOrder(
            payment_request_id=req.payment_request_id,
            amount=req.payment_amount,
            method_type=req.payment_method.payment_method_type,
            access_token=req.payment_method.payment_method_id,
            reference_order_id=req.order.reference_order_id,
            order_description=req.order.order_description,
            notify_url=req.payment_notify_url,
            expiry=req.payment_expiry_time,
        )
        return self._sandbox.payments.pay(client_id, order, fault, now)

    def _inquiry_payment(
        self, client_id: str, req: InquiryPaymentRequest, _fault: Fault | None, now: int
    ) -> Outcome:
        return _ok(self._sandbox.payments.inquire(
            client_id, req.payment_id, req.payment_request_id, now
        ))

    def _cancel(
        self, client_id: str, req: CancelRequest, _fault: Fault | None, now: int
    ) -> Outcome:
        return _ok(self._sandbox.payments.cancel(
            client_id, req.payment_id, req.payment_request_id, now
        ))

    def _refund(
        self, client_id: str, req: RefundRequest, fault: Fault | None, now: int
    ) -> Outcome:
        order = RefundOrder(
            refund_request_id=req.refund_request_id,
            payment_id=req.payment_id,
            amount=req.refund_amount,
            reference_refund_id=req.reference_refund_id,
            reason=req.refund_reason,
            notify_url=req.refund_notify_url,
        )
        return self._sandbox.refunds.refund(client_id, order, fault, now)

    def _inquiry_refund(
        self, client_id: str, req: InquiryRefundRequest, _fault: Fault | None, now: int
    ) -> Outcome:
        return _ok(self._sandbox.refunds.inquire(
            client_id, req.refund_id, req.refund_request_id, now
        ))

    def _declare(
        self, client_id: str, req: DeclareRequest, _fault: Fault | None, now: int
    ) -> Outcome:
        ask = Declaration(
            declaration_request_id=req.declaration_request_id,
            payment_id=req.payment_id,
            amount=req.declaration_amount,
            customs_code=req.customs.customs_code,
            region=req.customs.region,
            merchant_customs_code=req.merchant_customs_info.merchant_customs_code,
            merchant_customs_name=req.merchant_customs_info.merchant_customs_name,
            split_order=req.split_order,
            sub_order_id=req.sub_order_id,
            certificate=req.buyer_certificate.to_json() if req.buyer_certificate else None,
        )
        return _ok(self._sandbox.customs.declare(client_id, ask, now))

    def _inquiry_declarations(
        self, client_id: str, req: InquiryDeclarationRequestsRequest, _fault: Fault | None, now: int
    ) -> Outcome:
        return _ok(self._sandbox.customs.inquire(client_id, req.declaration_request_ids, now))
