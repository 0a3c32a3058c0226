"""Registry operations users submitted, kept until the registry takes them (see outbox.py)."""

from bot.backend_outbox.outbox import (
    OPERATIONS,
    BackendOutbox,
    Deliver,
    Operation,
    OperationContext,
    OperationRegistry,
)

__all__ = [
    "OPERATIONS",
    "BackendOutbox",
    "Deliver",
    "Operation",
    "OperationContext",
    "OperationRegistry",
]
