"""The compose file, without a Docker engine: valid against the Compose Specification's schema
(tests/deploy/compose-spec.json, from github.com/compose-spec/compose-spec, Apache-2.0), and
it runs what docs/deploy.md promises: two bot workers behind one proxy, PostgreSQL, Redis, the
registry, migrations as a release step, optional Rasa, health checks, no root, no secrets."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent.parent
COMPOSE = REPO / "compose.yaml"
SCHEMA = Path(__file__).with_name("compose-spec.json")
# What `docker compose` would interpolate: ${NAME:-default} and ${NAME:?message}.
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::?([-?])([^}]*))?\}")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable interpolation, for the checks (like `docker compose config`)."""
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name, kind, rest = match.group(1), match.group(2), match.group(3) or ""
            if name in env:
                return env[name]
            if kind == "?":
                raise KeyError(f"{name}: {rest}")
            return rest if kind == "-" else ""

        return _VARIABLE.sub(replace, value)
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    return value


REQUIRED_ENV = {
    "POSTGRES_PASSWORD": "pw",
    "CETS_REGISTRY_BOT_TOKEN": "bot-token",
    "CETS_REGISTRY_OFFICER_TOKEN": "officer-token",
}


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def compose(raw: dict[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = interpolate(raw, REQUIRED_ENV)
    return resolved


def validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_the_file_is_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    validator().validate(compose)


def test_the_schema_check_catches_mistakes(compose: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["bot"]["healthchek"] = broken["services"]["bot"].pop("healthcheck")
    assert list(validator().iter_errors(broken))
    broken = json.loads(json.dumps(compose))
    broken["services"]["bot"]["depends_on"]["migrate"]["condition"] = "when_ready"
    assert list(validator().iter_errors(broken))


def test_required_secrets_must_be_set(raw: dict[str, Any]) -> None:
    for missing in REQUIRED_ENV:
        env = {k: v for k, v in REQUIRED_ENV.items() if k != missing}
        with pytest.raises(KeyError, match=missing):
            interpolate(raw, env)


def test_the_services_are_all_there(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "registry", "bot", "proxy", "rasa"} <= set(services)
    assert services["rasa"]["profiles"] == ["rasa"]
    assert all("profiles" not in s for name, s in services.items() if name != "rasa")


def test_two_bot_workers_behind_one_proxy(compose: dict[str, Any]) -> None:
    bot = compose["services"]["bot"]
    assert int(bot["deploy"]["replicas"]) == 2
    assert "ports" not in bot  # reachable only through the proxy
    proxy = compose["services"]["proxy"]
    assert proxy["ports"] == ["8080:8080"]
    conf = (REPO / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "server bot:8080;" in conf
    for path in ("/telegram/webhook", "/messenger/webhook"):
        assert f"location = {path} {{ proxy_pass http://cets_bot; }}" in conf
    assert "/metrics" not in conf.replace("/readyz and /metrics stay internal", "")


def test_migrations_are_a_release_step_before_the_workers(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["command"] == ["cets-bot", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in ("bot", "registry"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert "--no-migrate" in services["registry"]["command"]


def test_every_long_running_service_has_a_health_check(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("postgres", "redis", "registry", "bot", "proxy", "rasa"):
        assert services[name]["healthcheck"]["test"], name
    assert "/readyz" in " ".join(services["bot"]["healthcheck"]["test"])
    assert services["bot"]["depends_on"]["registry"] == {"condition": "service_healthy"}
    assert services["bot"]["depends_on"]["redis"] == {"condition": "service_healthy"}


def test_the_bot_image_runs_hardened_and_not_as_root(compose: dict[str, Any]) -> None:
    for name in ("migrate", "registry", "bot"):
        service = compose["services"][name]
        assert service["user"] == "10001:10001"
        assert service["read_only"] is True
        assert service["cap_drop"] == ["ALL"]
        assert service["build"]["dockerfile"] == "Dockerfile"
    assert compose["services"]["bot"]["stop_grace_period"] == "15s"


def test_the_bot_is_configured_for_postgres_redis_and_the_registry(
    compose: dict[str, Any],
) -> None:
    env = compose["services"]["bot"]["environment"]
    assert env["CETS_DATABASE_URL"] == "postgresql+asyncpg://cets:pw@postgres:5432/cets"
    assert env["CETS_REDIS_URL"] == "redis://redis:6379/0"
    assert env["CETS_BACKEND_URL"] == "http://registry:8081"
    assert env["CETS_BACKEND_TOKEN"] == "bot-token"
    assert env["CETS_HTTP_HOST"] == "0.0.0.0"
    assert env["CETS_LOG_FORMAT"] == "json"


def test_no_secret_is_written_in_the_file(raw: dict[str, Any]) -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    for name in ("TOKEN", "SECRET", "PASSWORD"):
        for line in text.splitlines():
            if name in line and ":" in line and not line.strip().startswith("#"):
                value = line.split(":", 1)[1].strip()
                assert value.startswith("${") or value == "" or name not in line.split(":")[0], line


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if not line.startswith("#")
    ]


def test_the_dockerfile_runs_as_a_non_root_user_with_a_health_check() -> None:
    instructions = dockerfile_instructions()
    names = [name for name, _ in instructions]
    assert names[0] == "FROM" and names.count("FROM") == 1
    users = [argument for name, argument in instructions if name == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert names.index("USER") > max(i for i, n in enumerate(names) if n == "RUN")
    assert "/healthz" in dict(instructions)["HEALTHCHECK"]
    assert dict(instructions)["CMD"] == '["cets-bot", "run"]'
    for name, argument in instructions:
        if name == "ENV":
            assert not re.search(r"(TOKEN|SECRET|PASSWORD)=", argument), argument


def test_the_image_leaves_out_local_files_and_secrets() -> None:
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", ".git", "var", "tests"} <= set(ignored)
