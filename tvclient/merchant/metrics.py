"""Prometheus text-format metrics, kept per backend instance (no global registry)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable

__all__ = ["Metrics"]

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

Labels = tuple[tuple[str, str], ...]


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    inner = ",".join(
        f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in labels
    )
    return "{" + inner + "}"


class Metrics:
    """Counters, histograms and gauges with labels; `render()` gives the exposition text."""

    def __init__(self) -> None:
        self._help: dict[str, tuple[str, str]] = {}
        self._counters: dict[str, dict[Labels, float]] = defaultdict(lambda: defaultdict(float))
        self._hist: dict[str, dict[Labels, list[float]]] = defaultdict(dict)
        self._gauges: dict[str, Callable[[], float]] = {}
        self._describe()

    def _describe(self) -> None:
        for name, kind, text in (
            (
                "tvclient_merchant_http_requests_total",
                "counter",
                "HTTP requests by route and status",
            ),
            ("tvclient_merchant_bind_sessions_total", "counter", "Bind sessions by outcome"),
            ("tvclient_merchant_purchases_total", "counter", "Purchases by outcome"),
            (
                "tvclient_merchant_notifications_total",
                "counter",
                "Antom notifications by kind and outcome",
            ),
            (
                "tvclient_merchant_antom_request_seconds",
                "histogram",
                "Antom API latency by API and result",
            ),
            ("tvclient_merchant_refunds_total", "counter", "Refunds by outcome"),
        ):
            self._help[name] = (kind, text)

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        """Add to a counter."""
        self._counters[name][tuple(sorted(labels.items()))] += amount

    def observe(self, name: str, value: float, **labels: str) -> None:
        """Record one observation in a histogram."""
        key = tuple(sorted(labels.items()))
        series = self._hist[name].get(key)
        if series is None:
            series = [0.0] * (len(_BUCKETS) + 2)  # buckets..., +Inf count, sum
            self._hist[name][key] = series
        for index, bound in enumerate(_BUCKETS):
            if value <= bound:
                series[index] += 1
        series[len(_BUCKETS)] += 1
        series[len(_BUCKETS) + 1] += value

    def gauge(self, name: str, read: Callable[[], float], text: str) -> None:
        """A gauge read at render time."""
        self._gauges[name] = read
        self._help[name] = ("gauge", text)

    def counter_value(self, name: str, **labels: str) -> float:
        """The current value of one counter series (0 when never incremented)."""
        return self._counters.get(name, {}).get(tuple(sorted(labels.items())), 0.0)

    def render(self) -> str:
        """The Prometheus text exposition (version 0.0.4)."""
        lines: list[str] = []
        names = sorted(set(self._help) | set(self._counters) | set(self._hist))
        for name in names:
            kind, text = self._help.get(name, ("counter", name))
            lines.append(f"# HELP {name} {text}")
            lines.append(f"# TYPE {name} {kind}")
            if name in self._gauges:
                value = self._gauges[name]()
                lines.append(f"{name} {value:g}")
                continue
            for labels, value in sorted(self._counters.get(name, {}).items()):
                lines.append(f"{name}{_labels(labels)} {value:g}")
            for labels, series in sorted(self._hist.get(name, {}).items()):
                for index, bound in enumerate(_BUCKETS):
                    le = (*labels, ("le", f"{bound:g}"))
                    lines.append(f"{name}_bucket{_labels(le)} {series[index]:g}")
                inf = (*labels, ("le", "+Inf"))
                lines.append(f"{name}_bucket{_labels(inf)} {series[len(_BUCKETS)]:g}")
                lines.append(f"{name}_count{_labels(labels)} {series[len(_BUCKETS)]:g}")
                total = series[len(_BUCKETS) + 1]
                lines.append(
                    f"{name}_sum{_labels(labels)} {total if math.isfinite(total) else 0:g}"
                )
        return "\n".join(lines) + "\n"
