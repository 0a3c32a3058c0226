"""Helpers for the backend tests: sample drafts, unique test data, a real server subprocess."""

from __future__ import annotations

import os
import random
import select
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from backend_client import (
    CRITERIA,
    ApplicationDraft,
    BusinessCategory,
    EvidenceItem,
    OfficerBackend,
    Owner,
    RegistryBackend,
)

REPO = Path(__file__).resolve().parents[2]
BOT_TOKEN = "test-bot-token-" + uuid.uuid4().hex
OFFICER_TOKEN = "test-officer-token-" + uuid.uuid4().hex
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def token() -> str:
    """A short random tag that keeps each test's shops and users apart in a shared database."""
    return uuid.uuid4().hex[:10]


def new_owner(channel: str = "telegram") -> Owner:
    """A user no other test uses."""
    return Owner(channel, str(random.randint(10**9, 10**10)))


def new_phone() -> tuple[str, str]:
    """A random Cambodian mobile number: (as a user writes it, E.164)."""
    digits = f"{random.randint(0, 999999):06d}"
    return f"012 {digits[:3]} {digits[3:]}", f"+85512{digits}"


@dataclass(frozen=True)
class Shop:
    """Identifiers of a test shop."""

    tag: str
    facebook: str
    telegram: str
    phone: str
    phone_e164: str

    @property
    def name(self) -> str:
        """A Latin name unique to this test."""
        return f"Sokha Fashion {self.tag}"


def new_shop() -> Shop:
    """A shop with a unique page, handle and phone."""
    tag = token()
    phone, e164 = new_phone()
    return Shop(tag, f"https://www.facebook.com/sokha.fashion.{tag}", f"@sokha_{tag}", phone, e164)


def complete_draft(shop: Shop) -> ApplicationDraft:
    """Every field a new application needs except evidence for criterion 1."""
    return ApplicationDraft(
        business_name=shop.name,
        business_name_km=f"សុខា ហ្វេសិន {shop.tag}",
        category=BusinessCategory.SOLE_PROPRIETORSHIP,
        address="#12, St. 271, Phnom Penh",
        phone=shop.phone,
        email="owner@example.com",
        activity_type="online retail",
        identifiers=(shop.facebook, shop.telegram),
        code_of_conduct_declared=True,
        answers={f"criterion_{n}": f"https://shop.example/policy/{n}" for n in CRITERIA[1:]},
    )


def screenshot(criterion: int | None = 1, document: str | None = None) -> EvidenceItem:
    """A small PNG as evidence."""
    return EvidenceItem("storefront.png", "image/png", PNG, criterion=criterion, document=document)


async def certified_shop(
    bot: RegistryBackend, officer: OfficerBackend, shop: Shop | None = None
) -> tuple[Owner, Shop, str, str]:
    """Apply, submit and approve: (owner, shop, application id, certificate id)."""
    shop = shop or new_shop()
    owner = new_owner()
    application = await bot.create_application(
        owner, complete_draft(shop), fee_quoted=Decimal("100")
    )
    await bot.attach_evidence(owner, application.application_id, screenshot(1))
    await bot.submit_application(owner, application.application_id)
    approved = await officer.approve_application(application.application_id, officer="dara")
    assert approved.certificate_id is not None
    return owner, shop, application.application_id, approved.certificate_id


def server_env(database_url: str) -> dict[str, str]:
    """Environment of a registry server subprocess."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        CETS_DATABASE_URL=database_url,
        CETS_REGISTRY_BOT_TOKEN=BOT_TOKEN,
        CETS_REGISTRY_OFFICER_TOKEN=OFFICER_TOKEN,
        CETS_LOG_LEVEL="WARNING",
    )
    env.pop("CETS_BACKEND_URL", None)
    return env


class ServerProcess:
    """A registry server in a subprocess, started for real on a loopback port."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.url = self.wait_for_line("registry listening on ").strip()

    def wait_for_line(self, prefix: str, timeout: float = 30.0) -> str:
        """Block until the server prints a line starting with ``prefix``; the rest of it."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.2)
            if ready:
                line = self.process.stdout.readline()
                if line.startswith(prefix):
                    return line[len(prefix) :]
                if not line and self.process.poll() is not None:
                    break
        raise RuntimeError(f"server did not print {prefix!r} (exit code {self.process.poll()})")

    @property
    def port(self) -> int:
        """The loopback port it listens on."""
        return int(self.url.rsplit(":", 1)[1])

    def kill(self) -> None:
        """SIGKILL: no cleanup, no answer to requests in flight."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_reference_server(database_url: str, port: int = 0) -> ServerProcess:
    """``cets-bot registry serve`` (via registry.cli) on 127.0.0.1."""
    return ServerProcess(
        ["-m", "registry.cli", "registry", "serve", "--host", "127.0.0.1", "--port", str(port)],
        server_env(database_url),
    )
