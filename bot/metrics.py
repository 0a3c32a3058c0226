"""The bot's Prometheus metrics, in one place, and the ``GET /metrics`` route.

The metric objects are module-level (prometheus-client's default registry, which also carries
the process collector: CPU seconds, resident memory, open files). Code that does the work calls
the small functions below; the names and labels are the contract with dashboards:

- ``cets_turns_total{channel, intent}`` and ``cets_turn_seconds{channel}``: one per turn of the
  core (:func:`observe_turn`); ``intent`` is the NLU intent, ``payload`` for a button press,
  ``none`` when no text was understood (an empty message, a file).
- ``cets_nlu_confidence``: the top intent's confidence of each parse (:func:`observe_turn`).
- ``cets_backend_errors_total{operation, error}``: registry calls that raised
  (:class:`MeteredBackend` counts them for every backend operation).
- ``cets_inbox_depth{channel}`` and ``cets_outbox_depth{channel}``: events waiting to be
  processed and replies waiting to be sent, measured when ``/metrics`` is read
  (:func:`register_depth_probe`).
- ``cets_deliveries_failed_total{channel}``: replies given up on (:func:`delivery_failed`).
- ``cets_webhook_requests_total{channel, status}``: webhook answers by HTTP status.
- ``cets_events_in_flight``: inbox events being processed now (:mod:`bot.lifecycle`).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, TypeVar, cast

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from backend_client import BackendError, RegistryBackend
from nlu import Intent

log = logging.getLogger(__name__)

# Turn latency buckets: a turn is milliseconds; the registry or a Rasa server can add seconds.
_TURN_BUCKETS: Final = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_CONFIDENCE_BUCKETS: Final = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)

TURNS: Final = Counter("cets_turns", "Turns of the conversation core.", ["channel", "intent"])
TURN_SECONDS: Final = Histogram(
    "cets_turn_seconds", "Time the core took for one turn.", ["channel"], buckets=_TURN_BUCKETS
)
NLU_CONFIDENCE: Final = Histogram(
    "cets_nlu_confidence", "Confidence of the NLU's top intent.", buckets=_CONFIDENCE_BUCKETS
)
BACKEND_ERRORS: Final = Counter(
    "cets_backend_errors", "Registry calls that failed.", ["operation", "error"]
)
INBOX_DEPTH: Final = Gauge("cets_inbox_depth", "Inbox events not processed yet.", ["channel"])
OUTBOX_DEPTH: Final = Gauge("cets_outbox_depth", "Replies not sent yet.", ["channel"])
DELIVERIES_FAILED: Final = Counter(
    "cets_deliveries_failed", "Replies that could not be delivered.", ["channel"]
)
WEBHOOK_REQUESTS: Final = Counter(
    "cets_webhook_requests", "Webhook requests by answer status.", ["channel", "status"]
)
EVENTS_IN_FLIGHT: Final = Gauge("cets_events_in_flight", "Inbox events being processed now.")

_PAYLOAD: Final = "payload"
_NONE: Final = "none"
_OTHER: Final = "other"
# Labels are only ever the fixed intent inventory (a remote NLU cannot add label values).
_INTENTS: Final = frozenset(intent.value for intent in Intent)


def observe_turn(
    channel: str,
    *,
    seconds: float,
    intent: str | None,
    confidence: float | None = None,
    payload: bool = False,
) -> None:
    """Count one finished turn, its duration and (when the NLU ran) its confidence."""
    if payload:
        label = _PAYLOAD
    elif intent is None:
        label = _NONE
    else:
        label = intent if intent in _INTENTS else _OTHER
    TURNS.labels(channel=channel, intent=label).inc()
    TURN_SECONDS.labels(channel=channel).observe(seconds)
    if confidence is not None:
        NLU_CONFIDENCE.observe(confidence)


def delivery_failed(channel: str) -> None:
    """Count a reply that was given up on."""
    DELIVERIES_FAILED.labels(channel=channel).inc()


def webhook_answered(channel: str, status: int) -> None:
    """Count a webhook answer."""
    WEBHOOK_REQUESTS.labels(channel=channel, status=str(status)).inc()


# A probe returns the current depth per channel; probes run when /metrics is read.
DepthProbe = Callable[[], Awaitable[Mapping[str, int]]]
_DEPTH_PROBES: dict[str, tuple[Gauge, DepthProbe]] = {}


def register_depth_probe(name: str, gauge: Gauge, probe: DepthProbe) -> None:
    """Have ``gauge`` set from ``probe`` on every scrape (``name`` replaces an earlier one)."""
    _DEPTH_PROBES[name] = (gauge, probe)


async def refresh_depths() -> None:
    """Run every depth probe; a failing probe is logged and leaves its gauge as it was."""
    for name, (gauge, probe) in list(_DEPTH_PROBES.items()):
        try:
            depths = await probe()
        except Exception:
            log.warning("depth probe %s failed", name, exc_info=True)
            continue
        gauge.clear()
        for channel, depth in depths.items():
            gauge.labels(channel=channel).set(depth)


async def metrics_endpoint(request: web.Request) -> web.Response:
    """``GET /metrics`` in Prometheus' text format."""
    await refresh_depths()
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})


_F = TypeVar("_F", bound=Callable[..., Awaitable[Any]])


class MeteredBackend:
    """A registry backend that counts the errors of every operation, then re-raises them.

    Behaves exactly as the wrapped backend otherwise (same methods, same results).
    """

    def __init__(self, backend: RegistryBackend) -> None:
        self._backend = backend

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._backend, name)
        if not callable(attribute) or name.startswith("_"):
            return attribute
        return _counting(name, attribute)


def _counting(operation: str, method: _F) -> _F:
    @functools.wraps(method)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except BackendError as exc:
            BACKEND_ERRORS.labels(operation=operation, error=type(exc).__name__).inc()
            raise

    return cast(_F, wrapper)


def metered_backend(backend: RegistryBackend) -> RegistryBackend:
    """``backend`` with its errors counted in ``cets_backend_errors_total``."""
    return cast(RegistryBackend, MeteredBackend(backend))


class TurnTimer:
    """Measures one turn: ``timer = TurnTimer(); ...; timer.done(channel, parse, payload)``."""

    __slots__ = ("_started",)

    def __init__(self) -> None:
        self._started = time.perf_counter()

    def done(
        self,
        channel: str,
        *,
        intent: str | None,
        confidence: float | None,
        payload: bool,
    ) -> None:
        """Record the finished turn."""
        observe_turn(
            channel,
            seconds=time.perf_counter() - self._started,
            intent=intent,
            confidence=confidence,
            payload=payload,
        )
