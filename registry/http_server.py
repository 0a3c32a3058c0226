"""The reference registry HTTP server (aiohttp): openapi/registry.yaml over the embedded store.

Bot endpoints need ``Authorization: Bearer $CETS_REGISTRY_BOT_TOKEN``, officer endpoints
(``/v1/officer/...``) ``Bearer $CETS_REGISTRY_OFFICER_TOKEN`` and an ``X-CETS-Officer`` name.
Creating requests honour ``Idempotency-Key``. The access log names the route, never the raw
path or query (they may carry phone numbers).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Handler, Middleware

from backend_client import routes
from backend_client.bodies import (
    ApplicationList,
    BlacklistBody,
    ComplaintList,
    ComplaintStatusBody,
    CreateApplicationBody,
    ErrorBody,
    ErrorDetail,
    IdentifiersBody,
    ImportBody,
    NoteBody,
    ReasonBody,
    RenewalBody,
    RequiredNoteBody,
    ShopMatches,
    SubmitBody,
    SuspendBody,
    WarningBody,
)
from backend_client.errors import BackendError, PermissionDenied, ValidationError
from backend_client.models import (
    ApplicationDraft,
    ApplicationStatus,
    ComplaintDraft,
    ComplaintStatus,
    EvidenceItem,
    Owner,
)
from backend_client.wire import WireError, decode, encode
from bot.intake.limits import FileLimits
from registry.embedded import EmbeddedBackend, EmbeddedOfficer, open_store

logger = logging.getLogger(__name__)
T = TypeVar("T")

OPENAPI_DOCUMENT = Path(__file__).resolve().parent.parent / "openapi" / "registry.yaml"
_JSON_ROOM = 1024 * 1024


def max_body_bytes(limits: FileLimits) -> int:
    """The largest request body: one evidence file of the largest size in base64, plus JSON."""
    return 4 * -(-limits.max_file_bytes // 3) + _JSON_ROOM


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """What the server needs: where the store is and the two bearer tokens."""

    database_url: str | None
    bot_token: str
    officer_token: str


class AuthenticationFailed(PermissionDenied):
    """No valid bearer token for the endpoint (HTTP 401; clients see PermissionDenied)."""

    http_status = 401


CONFIG = web.AppKey("config", ServerConfig)
BACKEND = web.AppKey("backend", EmbeddedBackend)
OFFICER = web.AppKey("officer", EmbeddedOfficer)


class RouteAccessLogger(AbstractAccessLogger):
    """Access log by route template and status, without paths, queries or client addresses."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Write one line per request."""
        route = "-"
        if isinstance(request, web.Request) and request.match_info.route.resource is not None:
            route = request.match_info.route.resource.canonical
        self.logger.info("%s %s %d %.1fms", request.method, route, response.status, time * 1000)


def _json(value: Any, status: int = 200) -> web.Response:
    return web.json_response(encode(value), status=status, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _error(exc: BackendError) -> web.Response:
    body = ErrorBody(ErrorDetail(exc.code, exc.message, exc.fields))
    response = _json(body, status=exc.http_status)
    if isinstance(exc, AuthenticationFailed):
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Typed backend errors become JSON error bodies; anything unexpected a logged 500."""
    try:
        return await handler(request)
    except BackendError as exc:
        return _error(exc)
    except web.HTTPException as exc:
        if exc.status >= 400:
            return _error(_http_error(exc))
        raise
    except Exception:
        logger.exception("unexpected error in %s", request.match_info.route.resource)
        return _error(BackendError("internal error"))


def _http_error(exc: web.HTTPException) -> BackendError:
    error = BackendError(exc.reason)
    error.code = "not_found" if exc.status == 404 else "bad_request"
    error.http_status = exc.status
    return error


def _bearer_matches(request: web.Request, expected: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Officer paths need the officer token; other /v1 paths the bot token."""
    config = request.app[CONFIG]
    if request.path.startswith(routes.OFFICER_PREFIX):
        expected: str | None = config.officer_token
    elif request.path.startswith("/v1/"):
        expected = config.bot_token
    else:
        expected = None
    if expected is not None and not _bearer_matches(request, expected):
        raise AuthenticationFailed("missing or wrong bearer token for this endpoint")
    return await handler(request)


async def _body(request: web.Request, kind: type[T]) -> T:
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError("the body is not JSON") from exc
    try:
        return decode(kind, data)
    except WireError as exc:
        raise ValidationError(f"the body does not fit the schema: {exc}") from exc


def _owner(request: web.Request) -> Owner:
    return Owner(request.match_info["channel"], request.match_info["user_id"])


def _key(request: web.Request) -> str | None:
    return request.headers.get(routes.IDEMPOTENCY_HEADER) or None


def _officer(request: web.Request) -> str:
    name = request.headers.get(routes.OFFICER_HEADER, "").strip()
    if not name:
        raise ValidationError(f"the {routes.OFFICER_HEADER} header must name the officer")
    return name


def _int_query(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValidationError(f"{name} must be a number", fields=(name,)) from exc


def _enum_query(request: web.Request, name: str, kind: type[T]) -> T | None:
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        return kind(raw)  # type: ignore[call-arg]
    except ValueError as exc:
        raise ValidationError(f"unknown {name} {raw!r}", fields=(name,)) from exc


# Bot endpoints


async def find_shops(request: web.Request) -> web.Response:
    """GET /v1/shops?q=&limit="""
    backend = request.app[BACKEND]
    query = request.query.get("q", "")
    matches = await backend.find_shops(query, limit=_int_query(request, "limit", 5))
    return _json(ShopMatches(matches))


async def get_public_certificate(request: web.Request) -> web.Response:
    """GET /v1/certificates/{certificate_id}"""
    backend = request.app[BACKEND]
    return _json(await backend.get_public_certificate(request.match_info["certificate_id"]))


async def create_application(request: web.Request) -> web.Response:
    """POST /v1/users/{channel}/{user_id}/applications"""
    body = await _body(request, CreateApplicationBody)
    application = await request.app[BACKEND].create_application(
        _owner(request),
        body.draft,
        fee_quoted=body.fee_quoted,
        currency=body.currency,
        idempotency_key=_key(request),
    )
    return _json(application, status=201)


async def list_applications(request: web.Request) -> web.Response:
    """GET /v1/users/{channel}/{user_id}/applications"""
    return _json(ApplicationList(await request.app[BACKEND].list_applications(_owner(request))))


async def get_application(request: web.Request) -> web.Response:
    """GET /v1/users/{channel}/{user_id}/applications/{application_id}"""
    return _json(
        await request.app[BACKEND].get_application(
            _owner(request), request.match_info["application_id"]
        )
    )


async def update_application(request: web.Request) -> web.Response:
    """PATCH /v1/users/{channel}/{user_id}/applications/{application_id}"""
    draft = await _body(request, ApplicationDraft)
    return _json(
        await request.app[BACKEND].update_application(
            _owner(request), request.match_info["application_id"], draft
        )
    )


async def attach_evidence(request: web.Request) -> web.Response:
    """POST /v1/users/{channel}/{user_id}/applications/{application_id}/evidence"""
    item = await _body(request, EvidenceItem)
    stored = await request.app[BACKEND].attach_evidence(
        _owner(request),
        request.match_info["application_id"],
        item,
        idempotency_key=_key(request),
    )
    return _json(stored, status=201)


async def submit_application(request: web.Request) -> web.Response:
    """POST /v1/users/{channel}/{user_id}/applications/{application_id}/submit"""
    body = await _body(request, SubmitBody)
    return _json(
        await request.app[BACKEND].submit_application(
            _owner(request),
            request.match_info["application_id"],
            fee_quoted=body.fee_quoted,
            idempotency_key=_key(request),
        )
    )


async def start_renewal(request: web.Request) -> web.Response:
    """POST /v1/users/{channel}/{user_id}/renewals"""
    body = await _body(request, RenewalBody)
    application = await request.app[BACKEND].start_renewal(
        _owner(request),
        body.certificate_id,
        fee_quoted=body.fee_quoted,
        idempotency_key=_key(request),
    )
    return _json(application, status=201)


async def file_complaint(request: web.Request) -> web.Response:
    """POST /v1/users/{channel}/{user_id}/complaints"""
    draft = await _body(request, ComplaintDraft)
    complaint = await request.app[BACKEND].file_complaint(
        _owner(request), draft, idempotency_key=_key(request)
    )
    return _json(complaint, status=201)


async def list_complaints(request: web.Request) -> web.Response:
    """GET /v1/users/{channel}/{user_id}/complaints"""
    return _json(ComplaintList(await request.app[BACKEND].list_complaints(_owner(request))))


async def get_complaint(request: web.Request) -> web.Response:
    """GET /v1/users/{channel}/{user_id}/complaints/{complaint_id}"""
    return _json(
        await request.app[BACKEND].get_complaint(
            _owner(request), request.match_info["complaint_id"]
        )
    )


async def get_evidence(request: web.Request) -> web.Response:
    """GET /v1/users/{channel}/{user_id}/evidence/{evidence_id}"""
    try:
        evidence_id = int(request.match_info["evidence_id"])
    except ValueError as exc:
        raise ValidationError("evidence ids are numbers", fields=("evidence_id",)) from exc
    return _json(await request.app[BACKEND].get_evidence(_owner(request), evidence_id))


async def status_changes(request: web.Request) -> web.Response:
    """GET /v1/status-changes?after=&limit="""
    page = await request.app[BACKEND].status_changes_since(
        _int_query(request, "after", 0), limit=_int_query(request, "limit", 100)
    )
    return _json(page)


# Officer endpoints


async def officer_find_shops(request: web.Request) -> web.Response:
    """GET /v1/officer/shops?q=&limit="""
    officer = request.app[OFFICER]
    matches = await officer.find_shops(
        request.query.get("q", ""), limit=_int_query(request, "limit", 5)
    )
    return _json(ShopMatches(matches))


async def officer_list_applications(request: web.Request) -> web.Response:
    """GET /v1/officer/applications?status=&limit="""
    applications = await request.app[OFFICER].list_applications(
        status=_enum_query(request, "status", ApplicationStatus),
        limit=_int_query(request, "limit", 100),
    )
    return _json(ApplicationList(applications))


async def officer_get_application(request: web.Request) -> web.Response:
    """GET /v1/officer/applications/{application_id}"""
    return _json(await request.app[OFFICER].get_application(request.match_info["application_id"]))


def _decision(
    act: Callable[[EmbeddedOfficer, str, str, Any], Awaitable[Any]], body_kind: type[Any]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        body = await _body(request, body_kind)
        subject = next(iter(request.match_info.values()))
        return _json(await act(request.app[OFFICER], subject, _officer(request), body))

    return handler


async def officer_get_evidence(request: web.Request) -> web.Response:
    """GET /v1/officer/evidence/{evidence_id}"""
    try:
        evidence_id = int(request.match_info["evidence_id"])
    except ValueError as exc:
        raise ValidationError("evidence ids are numbers", fields=("evidence_id",)) from exc
    return _json(await request.app[OFFICER].get_evidence(evidence_id))


async def officer_list_complaints(request: web.Request) -> web.Response:
    """GET /v1/officer/complaints?status=&limit="""
    complaints = await request.app[OFFICER].list_complaints(
        status=_enum_query(request, "status", ComplaintStatus),
        limit=_int_query(request, "limit", 100),
    )
    return _json(ComplaintList(complaints))


async def officer_get_complaint(request: web.Request) -> web.Response:
    """GET /v1/officer/complaints/{complaint_id}"""
    return _json(await request.app[OFFICER].get_complaint(request.match_info["complaint_id"]))


async def officer_get_certificate(request: web.Request) -> web.Response:
    """GET /v1/officer/certificates/{certificate_id}"""
    return _json(await request.app[OFFICER].get_certificate(request.match_info["certificate_id"]))


async def officer_blacklist(request: web.Request) -> web.Response:
    """POST /v1/officer/blacklist"""
    body = await _body(request, BlacklistBody)
    verdict = await request.app[OFFICER].blacklist_shop(
        body.query, officer=_officer(request), reason=body.reason, name=body.name
    )
    return _json(verdict, status=201)


async def officer_warn(request: web.Request) -> web.Response:
    """POST /v1/officer/warnings"""
    body = await _body(request, WarningBody)
    verdict = await request.app[OFFICER].warn_business(
        body.query, officer=_officer(request), note=body.note
    )
    return _json(verdict, status=201)


async def officer_identifiers(request: web.Request) -> web.Response:
    """POST /v1/officer/businesses/identifiers"""
    body = await _body(request, IdentifiersBody)
    verdict = await request.app[OFFICER].add_identifiers(
        body.query, body.identifiers, officer=_officer(request)
    )
    return _json(verdict)


async def officer_import(request: web.Request) -> web.Response:
    """POST /v1/officer/businesses/import"""
    body = await _body(request, ImportBody)
    report = await request.app[OFFICER].import_businesses(body.records, officer=_officer(request))
    return _json(report)


async def health(request: web.Request) -> web.Response:
    """GET /healthz: the store answers."""
    await request.app[BACKEND].status_changes_since(0, limit=1)
    return web.json_response({"status": "ok"})


async def openapi(request: web.Request) -> web.Response:
    """GET /openapi.yaml: the contract this server implements."""
    text = await asyncio.to_thread(OPENAPI_DOCUMENT.read_text, encoding="utf-8")
    return web.Response(text=text, content_type="application/yaml")


async def _store_context(app: web.Application) -> AsyncIterator[None]:
    """Open the store for the server's lifetime (one engine shared by both roles)."""
    store = await open_store(app[CONFIG].database_url)
    app[BACKEND] = EmbeddedBackend(store)
    app[OFFICER] = EmbeddedOfficer(store)
    await app[BACKEND].warm_up()
    yield
    await store.close()


def create_app(config: ServerConfig, middlewares: Sequence[Middleware] = ()) -> web.Application:
    """The registry application; ``middlewares`` run inside authentication (tests use this)."""
    if not config.bot_token or not config.officer_token:
        raise ValueError("both the bot token and the officer token are required")
    app = web.Application(
        client_max_size=max_body_bytes(FileLimits.from_env()),
        middlewares=[error_middleware, auth_middleware, *middlewares],
    )
    app[CONFIG] = config
    app.cleanup_ctx.append(_store_context)
    decision_routes = {
        routes.OFFICER_REVIEW: _decision(
            lambda o, s, who, b: o.start_review(s, officer=who, note=b.note), NoteBody
        ),
        routes.OFFICER_APPROVE: _decision(
            lambda o, s, who, b: o.approve_application(s, officer=who, note=b.note), NoteBody
        ),
        routes.OFFICER_REJECT: _decision(
            lambda o, s, who, b: o.reject_application(s, officer=who, reason=b.reason),
            ReasonBody,
        ),
        routes.OFFICER_REQUEST_INFORMATION: _decision(
            lambda o, s, who, b: o.request_more_information(s, officer=who, note=b.note),
            RequiredNoteBody,
        ),
        routes.OFFICER_COMPLAINT_STATUS: _decision(
            lambda o, s, who, b: o.update_complaint_status(s, b.status, officer=who, note=b.note),
            ComplaintStatusBody,
        ),
        routes.OFFICER_SUSPEND: _decision(
            lambda o, s, who, b: o.suspend_certificate(
                s, until=b.until, officer=who, reason=b.reason
            ),
            SuspendBody,
        ),
        routes.OFFICER_REINSTATE: _decision(
            lambda o, s, who, b: o.reinstate_certificate(s, officer=who, note=b.note), NoteBody
        ),
        routes.OFFICER_REVOKE: _decision(
            lambda o, s, who, b: o.revoke_certificate(s, officer=who, reason=b.reason),
            ReasonBody,
        ),
    }
    app.add_routes(
        [
            web.get(routes.HEALTH, health),
            web.get(routes.OPENAPI, openapi),
            web.get(routes.SHOPS, find_shops),
            web.get(routes.STATUS_CHANGES, status_changes),
            web.get(routes.PUBLIC_CERTIFICATE, get_public_certificate),
            web.post(routes.APPLICATIONS, create_application),
            web.get(routes.APPLICATIONS, list_applications),
            web.get(routes.APPLICATION, get_application),
            web.patch(routes.APPLICATION, update_application),
            web.post(routes.APPLICATION_EVIDENCE, attach_evidence),
            web.post(routes.APPLICATION_SUBMIT, submit_application),
            web.post(routes.RENEWALS, start_renewal),
            web.post(routes.COMPLAINTS, file_complaint),
            web.get(routes.COMPLAINTS, list_complaints),
            web.get(routes.COMPLAINT, get_complaint),
            web.get(routes.EVIDENCE, get_evidence),
            web.get(routes.OFFICER_SHOPS, officer_find_shops),
            web.get(routes.OFFICER_APPLICATIONS, officer_list_applications),
            web.get(routes.OFFICER_APPLICATION, officer_get_application),
            web.get(routes.OFFICER_EVIDENCE, officer_get_evidence),
            web.get(routes.OFFICER_COMPLAINTS, officer_list_complaints),
            web.get(routes.OFFICER_COMPLAINT, officer_get_complaint),
            web.get(routes.OFFICER_CERTIFICATE, officer_get_certificate),
            web.post(routes.OFFICER_BLACKLIST, officer_blacklist),
            web.post(routes.OFFICER_WARNINGS, officer_warn),
            web.post(routes.OFFICER_IDENTIFIERS, officer_identifiers),
            web.post(routes.OFFICER_IMPORT, officer_import),
            *(web.post(path, handler) for path, handler in decision_routes.items()),
        ]
    )
    return app


async def serve(
    config: ServerConfig,
    host: str,
    port: int,
    *,
    middlewares: Sequence[Middleware] = (),
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM; ``on_ready`` gets the base URL once listening."""
    runner = web.AppRunner(
        create_app(config, middlewares), access_log_class=RouteAccessLogger, handle_signals=False
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        url = f"http://{bound_host}:{bound_port}"
        logger.info("registry server listening on %s", url)
        if on_ready is not None:
            on_ready(url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()
