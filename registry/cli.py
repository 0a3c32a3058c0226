"""Officer command line: ``cets-bot registry ...`` (lookup, decisions, import, demo data, server).

Commands work on the embedded store (``--database-url``, default ``CETS_DATABASE_URL`` or the
SQLite file under ``CETS_DATA_DIR``) or, with ``--backend-url`` (default ``CETS_BACKEND_URL``),
on a registry server using ``CETS_REGISTRY_OFFICER_TOKEN``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from backend_client import open_officer_backend
from backend_client.errors import BackendError
from backend_client.models import (
    Application,
    ApplicationStatus,
    Certificate,
    Complaint,
    ComplaintStatus,
    Identifier,
    IdentifierKind,
    ShopMatch,
    ShopVerdict,
    StoredEvidence,
)
from backend_client.protocol import OfficerBackend
from backend_client.wire import encode
from registry.csv_import import read_business_csv_file
from registry.database import create_engine, default_database_url, upgrade_database
from registry.identifiers import identifier_key
from registry.store import RegistryStore

logger = logging.getLogger(__name__)
Command = Callable[[argparse.Namespace, OfficerBackend], Awaitable[int]]


def _print_json(value: Any) -> None:
    print(json.dumps(encode(value), ensure_ascii=False, indent=2))


def _officer_name(args: argparse.Namespace) -> str:
    return str(args.officer or os.environ.get("CETS_OFFICER") or os.environ.get("USER") or "cli")


def _run(command: Command) -> Callable[[argparse.Namespace], int]:
    """Wrap an async command: open the officer backend, run, close, map errors to exit 1."""

    def func(args: argparse.Namespace) -> int:
        async def main() -> int:
            backend = await open_officer_backend(
                backend_url=args.backend_url,
                database_url=args.database_url,
                officer_token=os.environ.get("CETS_REGISTRY_OFFICER_TOKEN"),
            )
            try:
                return await command(args, backend)
            finally:
                await backend.close()

        try:
            return asyncio.run(main())
        except BackendError as exc:
            fields = f" ({', '.join(exc.fields)})" if exc.fields else ""
            print(f"error: {exc.message}{fields}", file=sys.stderr)
            return 1

    return func


def _certificate_line(certificate: Certificate | None) -> str:
    if certificate is None:
        return "no certificate"
    line = f"{certificate.certificate_id} {certificate.status.value}"
    if certificate.suspended_until:
        line += f" until {certificate.suspended_until.isoformat()}"
    return line + f" (valid {certificate.valid_from} to {certificate.valid_until})"


def _shop_lines(shop: ShopVerdict) -> list[str]:
    names = " / ".join(n for n in (shop.name, shop.name_km) if n)
    lines = [
        f"{names}  [{shop.verdict.value}]",
        f"  registration: {shop.registration_no or '-'}"
        f"{'  (basic phase eligible)' if shop.basic_phase_eligible else ''}",
        f"  certificate: {_certificate_line(shop.certificate)}",
        f"  complaints: {shop.open_complaints} open, {shop.verified_complaints} verified;"
        f" warnings: {shop.warnings}",
    ]
    if shop.blacklisted:
        lines.append(f"  BLACKLISTED: {shop.blacklist_reason}")
    covered = {(i.kind, i.value) for i in shop.covered_identifiers}
    for identifier in shop.identifiers:
        mark = " (covered)" if (identifier.kind, identifier.value) in covered else ""
        lines.append(f"  {identifier_key(identifier)}{mark}")
    return lines


async def lookup(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """Search shops as the bot does."""
    matches = await backend.find_shops(args.query, limit=args.limit)
    if args.json:
        _print_json([_match_json(m) for m in matches])
        return 0
    if not matches:
        print("no match")
    for match in matches:
        how = match.matched_by.value
        if match.matched_identifier is not None:
            how += f" {identifier_key(match.matched_identifier)}"
        print(f"- matched by {how} (score {match.score})")
        print("\n".join("  " + line for line in _shop_lines(match.shop)))
    return 0


def _match_json(match: ShopMatch) -> dict[str, Any]:
    """A lookup result for scripts: the shop's facts flattened to what officers ask about."""
    shop = match.shop
    certificate = shop.certificate
    return {
        "registration_no": shop.registration_no,
        "name": shop.name,
        "name_km": shop.name_km,
        "verdict": shop.verdict.value,
        "certificate_id": certificate.certificate_id if certificate else None,
        "certificate_status": certificate.status.value if certificate else None,
        "valid_until": certificate.valid_until.isoformat() if certificate else None,
        "identifiers": [identifier_key(i) for i in shop.identifiers],
        "covered_identifiers": [identifier_key(i) for i in shop.covered_identifiers],
        "open_complaints": shop.open_complaints,
        "verified_complaints": shop.verified_complaints,
        "blacklisted": shop.blacklisted,
        "matched_by": match.matched_by.value,
        "score": match.score,
    }


def _application_line(application: Application) -> str:
    name = application.business_name or application.business_name_km or "-"
    return (
        f"{application.application_id}  {application.status.value:<20} {application.kind.value:<8}"
        f" {name}  fee {application.fee_quoted or '-'} {application.currency}"
        f"  {application.created_at:%Y-%m-%d}"
    )


def _evidence_target(item: StoredEvidence) -> str:
    return f"criterion {item.criterion}" if item.criterion else f"document ({item.document})"


def _show_application(application: Application) -> None:
    """Every answer and evidence item of an application, as an officer reviews it."""
    print(_application_line(application))
    for label, value in (
        ("name (Latin)", application.business_name),
        ("name (Khmer)", application.business_name_km),
        ("category", application.category.value if application.category else None),
        ("registration", application.registration_no),
        ("registered on", application.registered_on),
        ("address", application.address),
        ("phone", application.phone),
        ("email", application.email),
        ("activity", application.activity_type),
        ("code of conduct declared", "yes" if application.code_of_conduct_declared else "no"),
        ("submitted at", application.submitted_at),
        ("certificate", application.certificate_id),
        ("renewal of", application.renewal_of),
        ("decision note", application.decision_note),
    ):
        if value:
            print(f"  {label}: {value}")
    for identifier in application.identifiers:
        print(f"  covers: {identifier_key(identifier)}")
    for key, answer in sorted(application.answers.items()):
        lines = answer.splitlines() or [""]
        print(f"  answer {key}: {lines[0]}")
        for line in lines[1:]:
            print(f"    {line}")
    for item in application.evidence:
        print(
            f"  evidence #{item.evidence_id} {_evidence_target(item)}: {item.filename}"
            f" ({item.mime_type}, {item.size} bytes, sha256 {item.sha256[:12]})"
        )
    for change in application.history:
        print(
            f"  {change.at:%Y-%m-%d %H:%M} {change.old_status or '-'} -> {change.new_status}"
            f" by {change.actor}{': ' + change.note if change.note else ''}"
        )


async def list_applications(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """List applications, newest first."""
    status = ApplicationStatus(args.status) if args.status else None
    applications = await backend.list_applications(status=status, limit=args.limit)
    if args.json:
        _print_json(applications)
    for application in () if args.json else applications:
        print(_application_line(application))
    return 0


async def applications_command(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """``applications [list]`` lists; ``applications show APP-...`` shows one in full."""
    if args.action == "show":
        if not args.id:
            print("error: applications show needs an application id (APP-...)", file=sys.stderr)
            return 2
        return await show_application(args, backend)
    return await list_applications(args, backend)


async def show_application(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """Show one application in full."""
    application = await backend.get_application(args.id)
    if args.json:
        _print_json(application)
    else:
        _show_application(application)
    return 0


async def review(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """Start reviewing a submitted application."""
    application = await backend.start_review(args.id, officer=_officer_name(args), note=args.note)
    print(_application_line(application))
    return 0


async def approve(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """Approve an application, issuing (or extending) its certificate."""
    application = await backend.approve_application(
        args.id, officer=_officer_name(args), note=args.note
    )
    print(_application_line(application))
    print(f"certificate: {application.certificate_id}")
    return 0


async def reject(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """Reject an application with a reason."""
    application = await backend.reject_application(
        args.id, officer=_officer_name(args), reason=args.reason
    )
    print(_application_line(application))
    return 0


_ITEM_WORDS = {
    "addr": "address",
    "tel": "phone",
    "mail": "email",
    "ids": "pages",
    "reg": "registration",
    "nen": "name",
    "act": "activity",
}


def items_line(items: Sequence[str]) -> str:
    """The ``Items: criterion 4, document (b), address`` line the bot reopens exactly.

    Items are ``4`` or ``c4`` (criteria), ``b`` or ``db`` (documents) or a field word.
    """
    words: list[str] = []
    for raw in items:
        item = raw.strip().lower()
        if item.removeprefix("c").isdigit():
            words.append(f"criterion {item.removeprefix('c')}")
        elif len(item) == 1 and item in "abcdefg":
            words.append(f"document ({item})")
        elif len(item) == 2 and item[0] == "d" and item[1] in "abcdefg":
            words.append(f"document ({item[1]})")
        else:
            words.append(_ITEM_WORDS.get(item, item))
    return "Items: " + ", ".join(words)


async def request_info(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """Ask the applicant for more information (``--item`` names what the bot reopens)."""
    note = args.note
    if args.item:
        note = f"{note.rstrip()}\n{items_line(args.item)}"
    application = await backend.request_more_information(
        args.id, officer=_officer_name(args), note=note
    )
    print(_application_line(application))
    return 0


async def evidence_command(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """``evidence get ID -o FILE``: write an evidence file out for review."""
    item = await backend.get_evidence(args.id)
    output = Path(args.output)
    await asyncio.to_thread(output.write_bytes, item.data)
    target = (
        f"criterion {item.criterion}"
        if item.criterion
        else f"document ({item.document})"
        if item.document
        else "complaint"
    )
    print(f"wrote {output} ({len(item.data)} bytes, {item.mime_type}, {target}, {item.filename})")
    return 0


def _complaint_line(complaint: Complaint) -> str:
    shop = complaint.shop_name or complaint.shop_reference
    amount = f" {complaint.amount} {complaint.currency}" if complaint.amount is not None else ""
    return (
        f"{complaint.complaint_id}  {complaint.status.value:<22} {complaint.category.value:<17}"
        f" {shop}{amount}  {complaint.created_at:%Y-%m-%d}"
        f"{'  (anonymous)' if complaint.anonymous else ''}"
    )


async def list_complaints(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """List complaints, newest first."""
    status = ComplaintStatus(args.status) if args.status else None
    complaints = await backend.list_complaints(status=status, limit=args.limit)
    if args.json:
        _print_json(complaints)
    for complaint in () if args.json else complaints:
        print(_complaint_line(complaint))
    return 0


async def show_complaint(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """Show one complaint in full."""
    complaint = await backend.get_complaint(args.id)
    if args.json:
        _print_json(complaint)
        return 0
    print(_complaint_line(complaint))
    print(f"  shop as given: {complaint.shop_reference}")
    print(f"  registration: {complaint.registration_no or 'not a registered shop'}")
    payment = complaint.payment_method.value if complaint.payment_method else "-"
    if complaint.payment_provider:
        payment += f" ({complaint.payment_provider})"
    print(f"  payment: {payment}")
    print(f"  happened on: {complaint.incident_date or '-'}")
    print(f"  description: {complaint.description}")
    if complaint.anonymous or not complaint.complainant_name:
        print("  seller may see: nobody's name (do not tell the seller who complained)")
    else:
        print(f"  seller may see the name: {complaint.complainant_name}")
    print(f"  may be contacted: {'yes, in the chat' if complaint.contact_allowed else 'no'}")
    for link in complaint.links:
        print(f"  link: {link}")
    for item in complaint.evidence:
        print(f"  evidence #{item.evidence_id}: {item.filename} ({item.size} bytes)")
    for change in complaint.history:
        print(
            f"  {change.at:%Y-%m-%d %H:%M} {change.old_status or '-'} -> {change.new_status}"
            f" by {change.actor}{': ' + change.note if change.note else ''}"
        )
    return 0


async def complaint_status(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """Move a complaint to a new status with a note."""
    complaint = await backend.update_complaint_status(
        args.id, ComplaintStatus(args.status), officer=_officer_name(args), note=args.note
    )
    print(_complaint_line(complaint))
    return 0


async def show_certificate(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """Show a certificate."""
    certificate = await backend.get_certificate(args.id)
    if args.json:
        _print_json(certificate)
    else:
        print(f"{certificate.business_name}: {_certificate_line(certificate)}")
    return 0


async def suspend(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """Suspend a certificate until a date."""
    certificate = await backend.suspend_certificate(
        args.id, until=args.until, officer=_officer_name(args), reason=args.reason
    )
    print(_certificate_line(certificate))
    return 0


async def reinstate(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """End a certificate's suspension."""
    certificate = await backend.reinstate_certificate(
        args.id, officer=_officer_name(args), note=args.note
    )
    print(_certificate_line(certificate))
    return 0


async def revoke(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """Revoke a certificate."""
    certificate = await backend.revoke_certificate(
        args.id, officer=_officer_name(args), reason=args.reason
    )
    print(_certificate_line(certificate))
    return 0


async def blacklist(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """Blacklist a shop for misuse of the mark."""
    shop = await backend.blacklist_shop(
        args.query, officer=_officer_name(args), reason=args.reason, name=args.name
    )
    print("\n".join(_shop_lines(shop)))
    return 0


async def warn(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """Record a warning on a business."""
    shop = await backend.warn_business(args.query, officer=_officer_name(args), note=args.note)
    print("\n".join(_shop_lines(shop)))
    return 0


async def payment_account(args: argparse.Namespace, backend: OfficerBackend) -> int:
    """Attach payment accounts (KHQR payees) to a business."""
    accounts = [f"{a}@{args.bank}" if args.bank and "@" not in a else a for a in args.accounts]
    shop = await backend.add_identifiers(
        args.query,
        [Identifier(IdentifierKind.PAYMENT, a, a) for a in accounts],
        officer=_officer_name(args),
    )
    print("\n".join(_shop_lines(shop)))
    return 0


def import_csv(args: argparse.Namespace) -> int:
    """Import registered e-commerce businesses from a CSV file."""
    records, problems = read_business_csv_file(Path(args.file))
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)

    async def run(args: argparse.Namespace, backend: OfficerBackend) -> int:
        report = await backend.import_businesses(records, officer=_officer_name(args))
        for error in report.errors:
            print(f"warning: {error}", file=sys.stderr)
        print(f"imported {len(records)} rows: {report.created} created, {report.updated} updated")
        return 0

    return _run(run)(args)


def migrate(args: argparse.Namespace) -> int:
    """Migrate the database to the latest schema."""
    url = args.database_url or default_database_url()
    upgrade_database(url)
    print("database schema is up to date")
    return 0


def seed_demo(args: argparse.Namespace) -> int:
    """Load the documented demo shops (docs/registry.md) into the embedded store."""
    from registry.demo import seed_demo as seed

    if args.backend_url:
        print("error: seed-demo writes fixed ids and needs the database itself", file=sys.stderr)
        return 1
    url = args.database_url or default_database_url()
    upgrade_database(url)

    async def run() -> list[str]:
        store = RegistryStore(create_engine(url))
        try:
            return await store.write(seed)
        finally:
            await store.close()

    for line in asyncio.run(run()):
        print(line)
    return 0


def serve(args: argparse.Namespace) -> int:
    """Run the reference HTTP server until interrupted."""
    from registry.http_server import ServerConfig
    from registry.http_server import serve as serve_http

    bot_token = os.environ.get("CETS_REGISTRY_BOT_TOKEN", "")
    officer_token = os.environ.get("CETS_REGISTRY_OFFICER_TOKEN", "")
    if not bot_token or not officer_token:
        print("error: set CETS_REGISTRY_BOT_TOKEN and CETS_REGISTRY_OFFICER_TOKEN", file=sys.stderr)
        return 1
    url = args.database_url or default_database_url()
    if not args.no_migrate:
        upgrade_database(url)

    def ready(base_url: str) -> None:
        print(f"registry listening on {base_url}", flush=True)

    config = ServerConfig(database_url=url, bot_token=bot_token, officer_token=officer_token)
    asyncio.run(serve_http(config, args.host, args.port, on_ready=ready))
    return 0


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``registry`` command and its subcommands to the ``cets-bot`` parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database-url",
        default=None,
        help="registry database (default: CETS_DATABASE_URL or the SQLite file)",
    )
    common.add_argument(
        "--backend-url",
        default=os.environ.get("CETS_BACKEND_URL") or None,
        help="work on a registry server instead (default: CETS_BACKEND_URL)",
    )
    common.add_argument(
        "--officer",
        default=None,
        help="officer name for the audit trail (default: CETS_OFFICER or $USER)",
    )
    listing = argparse.ArgumentParser(add_help=False)
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.add_argument("--limit", type=int, default=100)

    registry = subparsers.add_parser("registry", help="the CETS registry (officers)")
    commands = registry.add_subparsers(dest="registry_command", required=True)

    def add(
        name: str,
        func: Callable[[argparse.Namespace], int],
        help_text: str,
        *parents: argparse.ArgumentParser,
    ) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_text, parents=[common, *parents])
        parser.set_defaults(func=func)
        return parser

    parser = add("lookup", _run(lookup), "search shops as the bot does")
    parser.add_argument("query")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--limit", type=int, default=5)

    parser = add(
        "applications",
        _run(applications_command),
        "list applications, or show one in full: applications show APP-...",
        listing,
    )
    parser.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    parser.add_argument("id", nargs="?", help="the application to show (APP-...)")
    parser.add_argument("--status", choices=[s.value for s in ApplicationStatus])
    parser = add("application", _run(show_application), "show an application")
    parser.add_argument("id")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser = add("review", _run(review), "start reviewing a submitted application")
    parser.add_argument("id")
    parser.add_argument("--note")
    parser = add("approve", _run(approve), "approve an application (issues the certificate)")
    parser.add_argument("id")
    parser.add_argument("--note")
    parser = add("reject", _run(reject), "reject an application")
    parser.add_argument("id")
    parser.add_argument("--reason", required=True)
    parser = add("request-info", _run(request_info), "ask the applicant for more information")
    parser.add_argument("id")
    parser.add_argument("--note", required=True)
    parser.add_argument(
        "--item",
        action="append",
        help="an item the bot reopens: c1..c9 (criteria), db..df (documents), address, phone, "
        "email, pages, registration, name, activity (repeatable)",
    )
    parser = add("evidence", _run(evidence_command), "export an evidence file: get ID -o FILE")
    parser.add_argument("action", choices=("get",))
    parser.add_argument("id", type=int, help="the evidence number (from applications show)")
    parser.add_argument("-o", "--output", required=True, help="the file to write")

    parser = add("complaints", _run(list_complaints), "list complaints", listing)
    parser.add_argument("--status", choices=[s.value for s in ComplaintStatus])
    parser = add("complaint", _run(show_complaint), "show a complaint")
    parser.add_argument("id")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser = add("complaint-status", _run(complaint_status), "update a complaint's status")
    parser.add_argument("id")
    parser.add_argument(
        "status", choices=[s.value for s in ComplaintStatus if s.value != "received"]
    )
    parser.add_argument("--note")

    parser = add("certificate", _run(show_certificate), "show a certificate")
    parser.add_argument("id")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser = add("suspend", _run(suspend), "suspend a certificate until a date")
    parser.add_argument("id")
    parser.add_argument("--until", type=_iso_date, required=True)
    parser.add_argument("--reason", required=True)
    parser = add("reinstate", _run(reinstate), "end a certificate's suspension")
    parser.add_argument("id")
    parser.add_argument("--note")
    parser = add("revoke", _run(revoke), "revoke a certificate")
    parser.add_argument("id")
    parser.add_argument("--reason", required=True)
    parser = add("blacklist", _run(blacklist), "blacklist a shop (registration no or identifier)")
    parser.add_argument("query")
    parser.add_argument("--reason", required=True)
    parser.add_argument("--name", help="display name if the shop is not known yet")
    parser = add("warn", _run(warn), "record a warning on a business")
    parser.add_argument("query")
    parser.add_argument("--note", required=True)

    parser = add(
        "payment-account",
        _run(payment_account),
        "attach payment accounts (the payees of its KHQR codes) to a business",
    )
    parser.add_argument("query", help="registration no, certificate id or identifier")
    parser.add_argument(
        "accounts",
        nargs="+",
        metavar="account",
        help="a Bakong account id (name@bank), or an account number / merchant id with --bank",
    )
    parser.add_argument(
        "--bank",
        help="the bank's Bakong domain (abaa of abaakhppxxx@abaa) for account numbers",
    )

    parser = add("import", import_csv, "import registered e-commerce businesses from CSV")
    parser.add_argument(
        "file",
        help="registration_no,name,name_km,category,registered_on,facebook,telegram,website,phone"
        ",payment",
    )
    add("seed-demo", seed_demo, "load the documented demo shops")
    add("migrate", migrate, "migrate the database to the latest schema")
    parser = add("serve", serve, "run the reference HTTP server")
    parser.add_argument("--host", default=os.environ.get("CETS_REGISTRY_HOST", "127.0.0.1"))
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("CETS_REGISTRY_PORT", "8081"))
    )
    parser.add_argument(
        "--no-migrate", action="store_true", help="do not migrate the database on start"
    )


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point (``python -m registry.cli registry ...``)."""
    logging.basicConfig(
        level=os.environ.get("CETS_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    parser = argparse.ArgumentParser(prog="cets-bot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
