"""A core with the demo registry, the complaint guard and real photos to send as evidence."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.core import ConversationCore
from bot.database import open_engine
from bot.messages import Attachment
from bot.settings import Settings
from registry.demo import seed_demo


@pytest.fixture
async def seeded(core: ConversationCore, settings: Settings) -> ConversationCore:
    """The core, with the documented demo shops in its registry."""
    engine = open_engine(settings.database_url)
    async with async_sessionmaker(engine).begin() as session:
        await seed_demo(session)
    await engine.dispose()
    return core


def photo(seed: int = 0, name: str = "screenshot.jpg") -> Attachment:
    """A small photo-like JPEG, as a phone sends a screenshot."""
    noise = random.Random(seed).randbytes(120 * 90)
    image = Image.merge(
        "RGB",
        [Image.frombytes("L", (120, 90), noise)] * 2
        + [Image.linear_gradient("L").resize((120, 90))],
    )
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=80)
    return Attachment(kind="image", filename=name, mime_type="image/jpeg", data=output.getvalue())
