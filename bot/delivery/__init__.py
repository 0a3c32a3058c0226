"""Messages no turn asked for: ``runtime.deliveries.deliver(channel, user_id, compose)``.

See :mod:`bot.delivery.service`.
"""

from bot.delivery.service import Compose, Deliveries, apology
from bot.delivery.store import Delivery, DeliveryStore

__all__ = ["Compose", "Deliveries", "Delivery", "DeliveryStore", "apology"]
