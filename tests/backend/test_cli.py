"""The officer command line: ``cets-bot registry ...`` on a real SQLite file (and over HTTP)."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from backend_client import ApplicationDraft, ComplaintCategory, ComplaintDraft
from registry.cli import register
from registry.clock import today
from registry.database import upgrade_database
from registry.embedded import EmbeddedBackend, open_store
from tests.backend.support import (
    OFFICER_TOKEN,
    ServerProcess,
    complete_draft,
    new_owner,
    new_shop,
    screenshot,
)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``cets-bot <argv>`` in-process; (exit code, stdout, stderr)."""
    parser = argparse.ArgumentParser(prog="cets-bot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    code = args.func(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("CETS_BACKEND_URL", raising=False)
    url = f"sqlite+aiosqlite:///{tmp_path / 'cets.sqlite3'}"
    upgrade_database(url)
    return url


def lookup_json(capsys: pytest.CaptureFixture[str], db: str, query: str) -> list[dict[str, Any]]:
    code, out, _ = run_cli(capsys, "registry", "lookup", query, "--json", "--database-url", db)
    assert code == 0
    result: list[dict[str, Any]] = json.loads(out)
    return result


DEMO_EXPECTATIONS = [
    # (query in various writings, registration no, verdict, certificate id, certificate status)
    (
        "https://m.facebook.com/sokhafashion.demo/",
        "EC-2024-000101",
        "certified",
        "CETS-2025-000001",
        "valid",
    ),
    (
        "fb.com/sokhafashion.demo?ref=share",
        "EC-2024-000101",
        "certified",
        "CETS-2025-000001",
        "valid",
    ),
    ("០១២ ៣៤៥ ៦០១", "EC-2024-000101", "certified", "CETS-2025-000001", "valid"),
    ("សុខា ហ្វេសិន", "EC-2024-000101", "certified", "CETS-2025-000001", "valid"),
    ("@angkorcrafts_demo", "EC-2022-000102", "expired", "CETS-2025-000002", "expired"),
    ("+855 12 345 603", "EC-2024-000103", "suspended", "CETS-2025-000003", "suspended"),
    ("Mekong Mobile", "EC-2024-000103", "suspended", "CETS-2025-000003", "suspended"),
    ("t.me/luckygold_demo", "EC-2023-000104", "revoked", "CETS-2025-000004", "revoked"),
    ("CETS-2025-000004", "EC-2023-000104", "revoked", "CETS-2025-000004", "revoked"),
    ("facebook.com/trustmarkdeals.demo", None, "blacklisted", None, None),
    ("ហាងបញ្ចុះតម្លៃ ក្លែងក្លាយ", None, "blacklisted", None, None),
    ("855-12-345-606", "EC-2024-000106", "registered_not_certified", None, None),
]


def test_seed_demo_gives_one_shop_per_verdict(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = run_cli(capsys, "registry", "seed-demo", "--database-url", db)
    assert code == 0
    assert "CETS-2025-000001" in out
    for query, registration_no, verdict, certificate_id, status in DEMO_EXPECTATIONS:
        matches = lookup_json(capsys, db, query)
        assert matches, query
        first = matches[0]
        assert (first["registration_no"], first["verdict"]) == (registration_no, verdict), query
        assert (first["certificate_id"], first["certificate_status"]) == (certificate_id, status)
    (suspended,) = lookup_json(capsys, db, "@mekongmobile_demo")
    assert (suspended["open_complaints"], suspended["verified_complaints"]) == (3, 1)
    assert "telegram:mekongmobile_demo" in suspended["covered_identifiers"]
    code, out, _ = run_cli(capsys, "registry", "seed-demo", "--database-url", db)
    assert code == 0 and out.count("already there") == 6


def test_lookup_prints_the_verdict(capsys: pytest.CaptureFixture[str], db: str) -> None:
    run_cli(capsys, "registry", "seed-demo", "--database-url", db)
    code, out, _ = run_cli(capsys, "registry", "lookup", "@sokhafashion_demo", "--database-url", db)
    assert code == 0
    assert "Sokha Fashion / សុខា ហ្វេសិន  [certified]" in out
    assert "CETS-2025-000001 valid" in out
    assert "telegram:sokhafashion_demo (covered)" in out
    code, out, _ = run_cli(capsys, "registry", "lookup", "nobody.example.org", "--database-url", db)
    assert (code, out.strip()) == (0, "no match")


def test_csv_import(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    csv_file = tmp_path / "registered.csv"
    csv_file.write_text(
        "\ufeffregistration_no,name,name_km,category,registered_on,facebook,telegram,website,phone\n"
        "EC-2024-001,Srey Mom Cosmetics,ស្រីមុំ គ្រឿងសម្អាង,sole proprietorship,2024-03-01,"
        "https://m.facebook.com/sreymom.cosmetics/,@sreymom_shop,,012 777 001; 098 777 001\n"
        "EC-2024-002,Tonle Sap Fish Sauce,,legal_person,15/04/2024,fb.com/tonlesapfish,,"
        "www.tonlesap.com.kh,not-a-phone\n"
        ",Nameless,,,,,,,\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(capsys, "registry", "import", str(csv_file), "--database-url", db)
    assert code == 0
    assert "imported 2 rows: 2 created, 0 updated" in out
    assert "line 4: registration_no and name are required" in err
    assert "not-a-phone" in err
    (srey_mom,) = lookup_json(capsys, db, "+855 98 777 001")
    assert srey_mom["registration_no"] == "EC-2024-001"
    assert srey_mom["verdict"] == "registered_not_certified"
    assert set(srey_mom["identifiers"]) == {
        "facebook:sreymomcosmetics",
        "telegram:sreymom_shop",
        "phone:+85512777001",
        "phone:+85598777001",
    }
    (tonle_sap,) = lookup_json(capsys, db, "https://tonlesap.com.kh/")
    assert tonle_sap["name"] == "Tonle Sap Fish Sauce"
    code, out, _ = run_cli(capsys, "registry", "import", str(csv_file), "--database-url", db)
    assert "0 created, 2 updated" in out
    assert len(lookup_json(capsys, db, "Srey Mom Cosmetics")) == 1


async def _submitted_application(db: str) -> tuple[str, str]:
    store = await open_store(db)
    backend = EmbeddedBackend(store)
    try:
        owner, shop = new_owner(), new_shop()
        application = await backend.create_application(
            owner, complete_draft(shop), fee_quoted=Decimal("100")
        )
        await backend.attach_evidence(owner, application.application_id, screenshot(1))
        await backend.submit_application(owner, application.application_id)
        await backend.file_complaint(
            new_owner(), ComplaintDraft(shop.telegram, ComplaintCategory.DEFECTIVE, "broken")
        )
        return application.application_id, shop.telegram
    finally:
        await store.close()


def test_an_officer_decides_from_the_command_line(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    application_id, telegram = asyncio.run(_submitted_application(db))
    officer = ("--database-url", db, "--officer", "dara")
    code, out, _ = run_cli(capsys, "registry", "applications", "--status", "submitted", *officer)
    assert application_id in out
    assert run_cli(capsys, "registry", "review", application_id, *officer)[0] == 0
    code, out, _ = run_cli(capsys, "registry", "approve", application_id, "--note", "ok", *officer)
    assert code == 0
    certificate_id = out.split("certificate: ")[1].strip()
    assert certificate_id.startswith("CETS-")
    code, out, _ = run_cli(capsys, "registry", "application", application_id, *officer)
    assert "submitted -> under_review by officer:dara" in out
    assert f"certificate: {certificate_id}" in out
    (shop,) = lookup_json(capsys, db, telegram)
    assert (shop["verdict"], shop["certificate_id"]) == ("certified", certificate_id)

    until = (today() + timedelta(days=14)).isoformat()
    code, out, _ = run_cli(
        capsys,
        "registry",
        "suspend",
        certificate_id,
        "--until",
        until,
        "--reason",
        "complaints",
        *officer,
    )
    assert f"suspended until {until}" in out
    assert lookup_json(capsys, db, telegram)[0]["verdict"] == "suspended"
    run_cli(capsys, "registry", "reinstate", certificate_id, *officer)
    assert lookup_json(capsys, db, telegram)[0]["verdict"] == "certified"
    run_cli(capsys, "registry", "revoke", certificate_id, "--reason", "fraud", *officer)
    assert lookup_json(capsys, db, telegram)[0]["verdict"] == "revoked"
    code, out, _ = run_cli(
        capsys, "registry", "blacklist", telegram, "--reason", "fake mark", *officer
    )
    assert "BLACKLISTED: fake mark" in out

    code, out, _ = run_cli(capsys, "registry", "complaints", "--json", *officer)
    (complaint,) = [c for c in json.loads(out) if c["description"] == "broken"]
    code, out, _ = run_cli(
        capsys,
        "registry",
        "complaint-status",
        complaint["complaint_id"],
        "forwarded_to_business",
        "--note",
        "sent",
        *officer,
    )
    assert code == 0 and "forwarded_to_business" in out
    code, out, _ = run_cli(capsys, "registry", "complaint", complaint["complaint_id"], *officer)
    assert "received -> forwarded_to_business by officer:dara: sent" in out


def test_errors_exit_non_zero(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, _, err = run_cli(capsys, "registry", "approve", "APP-2025-999999", "--database-url", db)
    assert code == 1
    assert "error: no application APP-2025-999999" in err
    code, _, err = run_cli(
        capsys, "registry", "reject", "APP-2025-999999", "--reason", " ", "--database-url", db
    )
    assert code == 1


def test_lookup_through_the_reference_server(
    capsys: pytest.CaptureFixture[str],
    reference_server: ServerProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CETS_REGISTRY_OFFICER_TOKEN", OFFICER_TOKEN)
    code, out, _ = run_cli(
        capsys,
        "registry",
        "blacklist",
        "facebook.com/cli.over.http",
        "--reason",
        "misuse",
        "--backend-url",
        reference_server.url,
        "--officer",
        "dara",
    )
    assert code == 0
    code, out, _ = run_cli(
        capsys,
        "registry",
        "lookup",
        "m.facebook.com/clioverhttp",
        "--json",
        "--backend-url",
        reference_server.url,
    )
    assert json.loads(out)[0]["verdict"] == "blacklisted"
    monkeypatch.setenv("CETS_REGISTRY_OFFICER_TOKEN", "wrong")
    code, _, err = run_cli(capsys, "registry", "lookup", "x", "--backend-url", reference_server.url)
    assert code == 1 and "bearer token" in err


def test_a_draft_cannot_be_approved_from_the_command_line(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    async def draft() -> str:
        store = await open_store(db)
        try:
            application = await EmbeddedBackend(store).create_application(
                new_owner(), ApplicationDraft(business_name="x")
            )
            return application.application_id
        finally:
            await store.close()

    application_id = asyncio.run(draft())
    code, _, err = run_cli(capsys, "registry", "approve", application_id, "--database-url", db)
    assert code == 1 and "draft" in err


def test_payment_accounts_from_the_cli_and_from_csv(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    run_cli(capsys, "registry", "seed-demo", "--database-url", db)
    code, out, _ = run_cli(
        capsys,
        "registry",
        "payment-account",
        "CETS-2025-000001",
        "SokhaFashion@ACLB",
        "--database-url",
        db,
    )
    assert code == 0
    assert "payment:sokhafashion@aclb" in out
    code, out, _ = run_cli(
        capsys,
        "registry",
        "payment-account",
        "@sokhafashion_demo",
        "000 123 456",
        "--bank",
        "abaa",
        "--database-url",
        db,
    )
    assert code == 0 and "payment:000123456@abaa" in out
    (found,) = lookup_json(capsys, db, "000123456@abaa")
    assert found["certificate_id"] == "CETS-2025-000001"
    code, _, err = run_cli(
        capsys, "registry", "payment-account", "EC-2024-000101", "no account", "--database-url", db
    )
    assert code == 1 and "cannot read payment 'no account'" in err

    csv_file = tmp_path / "with-payments.csv"
    csv_file.write_text(
        "registration_no,name,name_km,category,registered_on,facebook,telegram,website,phone,payment\n"
        "EC-2024-009,Bopha Silk,,,,,,,,bopha@wing; 000-987-654@abaa\n",
        encoding="utf-8",
    )
    code, out, _ = run_cli(capsys, "registry", "import", str(csv_file), "--database-url", db)
    assert code == 0
    (bopha,) = lookup_json(capsys, db, "000987654@abaa")
    assert bopha["registration_no"] == "EC-2024-009"
    assert set(bopha["identifiers"]) == {"payment:bopha@wing", "payment:000987654@abaa"}
