"""Fault injection: the operator arms a fault for the next N calls of an API or notification.

API faults (`latency`, `unknown`, `timeout`, `http_error`) act on the next N well-formed,
correctly signed calls of one Antom API; notification faults (`drop`, `duplicate`, `delay`,
`out_of_order`) act on the next N notifications of one kind. Faults live in the database, so
they survive a restart; the oldest armed fault for a target is used first, one per call.
Durations are sandbox-clock seconds (with `--timescale 60`, 60 s pass in one real second).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from tvclient.antom.paths import Api
from tvclient.sandbox.errors import OperatorError
from tvclient.sandbox.store import Row, Store

__all__ = [
    "API_KINDS",
    "API_TARGETS",
    "NOTIFY_TARGETS",
    "Fault",
    "FaultKind",
    "FaultSpec",
    "Faults",
    "SettleOutcome",
]

API_TARGETS: frozenset[str] = frozenset(api.api_name for api in Api)
NOTIFY_TARGETS: frozenset[str] = frozenset({"notifyAuthorization", "notifyPayment", "notifyRefund"})
_MAX_COUNT = 10_000


class FaultKind(StrEnum):
    """What a fault does."""

    LATENCY = "latency"
    """Wait `seconds`, then answer normally."""
    UNKNOWN = "unknown"
    """Answer `U`: pay / refund stay PROCESSING and settle `seconds` later as `outcome`; other
    APIs answer UNKNOWN_EXCEPTION and do nothing."""
    TIMEOUT = "timeout"
    """Hold the answer `seconds` (longer than the caller waits); `processed` says whether the
    call took effect first."""
    HTTP_ERROR = "http_error"
    """Answer HTTP `status` (5xx) with a non-Antom body; `processed` as for timeout."""
    DROP = "drop"
    """Never send the notification."""
    DUPLICATE = "duplicate"
    """Send the notification twice."""
    DELAY = "delay"
    """Send the notification `seconds` late."""
    OUT_OF_ORDER = "out_of_order"
    """Hold the notification until a later one to the same client was sent (at most
    `seconds`)."""


API_KINDS = frozenset(
    {FaultKind.LATENCY, FaultKind.UNKNOWN, FaultKind.TIMEOUT, FaultKind.HTTP_ERROR}
)

_DEFAULT_SECONDS = {
    FaultKind.LATENCY: 3.0,
    FaultKind.UNKNOWN: 10.0,
    FaultKind.TIMEOUT: 65.0,
    FaultKind.DELAY: 30.0,
    FaultKind.OUT_OF_ORDER: 60.0,
}


class SettleOutcome(StrEnum):
    """How a payment or refund left PROCESSING by an `unknown` fault ends."""

    SUCCESS = "success"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """A fault as the operator asks for it (unset parameters take the kind's defaults)."""

    target: str
    kind: FaultKind
    count: int = 1
    seconds: float | None = None
    status: int | None = None
    outcome: SettleOutcome | None = None
    processed: bool | None = None

    @classmethod
    def from_json(cls, data: object) -> FaultSpec:
        """Read an operator request body.

        Raises:
            OperatorError: a field is missing, of the wrong type or out of range.
        """
        if not isinstance(data, dict):
            raise OperatorError(400, "BAD_REQUEST", "the body must be a JSON object")
        target, kind = data.get("target"), data.get("kind")
        if not isinstance(target, str):
            raise OperatorError(400, "BAD_REQUEST", "target must be an API or notification name")
        try:
            fault_kind = FaultKind(kind) if isinstance(kind, str) else None
        except ValueError:
            fault_kind = None
        if fault_kind is None:
            allowed = ", ".join(k.value for k in FaultKind)
            raise OperatorError(400, "BAD_REQUEST", f"kind must be one of {allowed}")
        outcome = data.get("outcome")
        try:
            settle = SettleOutcome(outcome) if outcome is not None else None
        except ValueError:
            raise OperatorError(400, "BAD_REQUEST", "outcome must be success or fail") from None
        spec = cls(
            target=target,
            kind=fault_kind,
            count=_int(data.get("count", 1), "count"),
            seconds=_float(data.get("seconds"), "seconds"),
            status=_int(data["status"], "status") if data.get("status") is not None else None,
            outcome=settle,
            processed=_bool(data.get("processed"), "processed"),
        )
        spec.check()
        return spec

    def check(self, max_hold: float = 600.0) -> None:
        """Refuse impossible combinations.

        Raises:
            OperatorError: the target, kind and parameters do not fit together.
        """
        if self.target not in API_TARGETS | NOTIFY_TARGETS:
            names = ", ".join(sorted(API_TARGETS | NOTIFY_TARGETS))
            raise OperatorError(400, "BAD_REQUEST", f"target must be one of {names}")
        is_api = self.target in API_TARGETS
        if is_api != (self.kind in API_KINDS):
            raise OperatorError(
                400, "BAD_REQUEST",
                f"{self.kind.value} faults apply to "
                + ("API calls" if self.kind in API_KINDS else "notifications")
                + f", not to {self.target}",
            )
        if not 1 <= self.count <= _MAX_COUNT:
            raise OperatorError(400, "BAD_REQUEST", f"count must be 1-{_MAX_COUNT}")
        if self.seconds is not None and not 0 <= self.seconds <= max_hold:
            raise OperatorError(400, "BAD_REQUEST", f"seconds must be 0-{max_hold:g}")
        if self.status is not None and not 500 <= self.status <= 599:
            raise OperatorError(400, "BAD_REQUEST", "status must be an HTTP 5xx code")


def _int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise OperatorError(400, "BAD_REQUEST", f"{name} must be a whole number")
    try:
        return int(value)
    except ValueError:
        raise OperatorError(400, "BAD_REQUEST", f"{name} must be a whole number") from None


def _float(value: object, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise OperatorError(400, "BAD_REQUEST", f"{name} must be a number")
    try:
        number = float(value)
    except ValueError:
        raise OperatorError(400, "BAD_REQUEST", f"{name} must be a number") from None
    if not math.isfinite(number):
        raise OperatorError(400, "BAD_REQUEST", f"{name} must be a finite number")
    return number


def _bool(value: object, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise OperatorError(400, "BAD_REQUEST", f"{name} must be true or false")


@dataclass(frozen=True, slots=True)
class Fault:
    """An armed fault with its parameters resolved."""

    id: int
    target: str
    kind: FaultKind
    remaining: int
    seconds: float
    status: int
    outcome: SettleOutcome
    processed: bool

    def to_json(self) -> dict[str, Any]:
        """The operator API's view of the fault."""
        data = asdict(self)
        data["kind"] = self.kind.value
        data["outcome"] = self.outcome.value
        return data


def _resolve(row: Row) -> Fault:
    params: dict[str, Any] = json.loads(row["params"])
    kind = FaultKind(row["kind"])
    seconds = params.get("seconds")
    processed = params.get("processed")
    return Fault(
        id=int(row["id"]),
        target=str(row["target"]),
        kind=kind,
        remaining=int(row["remaining"]),
        seconds=float(seconds) if seconds is not None else _DEFAULT_SECONDS.get(kind, 0.0),
        status=int(params.get("status") or 503),
        outcome=SettleOutcome(params.get("outcome") or SettleOutcome.SUCCESS),
        # A timeout usually hides a call that did happen; a 5xx usually one that did not.
        processed=bool(processed) if processed is not None else kind is FaultKind.TIMEOUT,
    )


class Faults:
    """The armed faults, in the database."""

    def __init__(self, store: Store, max_hold: float = 600.0) -> None:
        self._store = store
        self._max_hold = max_hold
        # Targets with an armed fault: spares a query per call when none is armed. Reloaded
        # after every change and after a rolled-back transaction.
        self._targets: set[str] = set()

    def load(self) -> None:
        """Re-read which targets have armed faults."""
        rows = self._store.all("SELECT DISTINCT target FROM faults WHERE remaining > 0")
        self._targets = {str(row[0]) for row in rows}

    def add(self, spec: FaultSpec, now_ms: int) -> Fault:
        """Arm a fault.

        Raises:
            OperatorError: the spec does not fit together.
        """
        spec.check(self._max_hold)
        params = {
            "seconds": spec.seconds,
            "status": spec.status,
            "outcome": spec.outcome.value if spec.outcome else None,
            "processed": spec.processed,
        }
        with self._store.transaction():
            fault_id = self._store.insert(
                "INSERT INTO faults (target, kind, remaining, params, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (spec.target, spec.kind.value, spec.count, json.dumps(params), now_ms),
            )
        self._targets.add(spec.target)
        row = self._store.one("SELECT * FROM faults WHERE id = ?", (fault_id,))
        assert row is not None  # noqa: S101 - inserted just above
        return _resolve(row)

    def all(self) -> list[Fault]:
        """Every armed fault, oldest first."""
        rows = self._store.all("SELECT * FROM faults WHERE remaining > 0 ORDER BY id")
        return [_resolve(row) for row in rows]

    def remove(self, fault_id: int) -> bool:
        """Disarm one fault; False when there was no such armed fault."""
        with self._store.transaction():
            removed = self._store.execute("DELETE FROM faults WHERE id = ?", (fault_id,))
        self.load()
        return removed > 0

    def clear(self) -> int:
        """Disarm every fault; returns how many were armed."""
        with self._store.transaction():
            removed = self._store.execute("DELETE FROM faults")
        self._targets.clear()
        return removed

    def armed(self, target: str) -> bool:
        """Whether a fault may be armed for `target` (cheap; no query)."""
        return target in self._targets

    def take(self, target: str) -> Fault | None:
        """Use up one call of the oldest fault armed for `target` (inside a transaction)."""
        if target not in self._targets:
            return None
        row = self._store.one(
            "SELECT * FROM faults WHERE target = ? AND remaining > 0 ORDER BY id LIMIT 1",
            (target,),
        )
        if row is None:
            self._targets.discard(target)
            return None
        if row["remaining"] <= 1:
            self._store.execute("DELETE FROM faults WHERE id = ?", (row["id"],))
        else:
            self._store.execute(
                "UPDATE faults SET remaining = remaining - 1 WHERE id = ?", (row["id"],)
            )
        return _resolve(row)
