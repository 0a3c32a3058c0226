"""Training and running a local Rasa 3.6 server (for the integration test and the benchmark).

Rasa lives in its own Python 3.10 virtual environment outside the repository
(``scripts/install-rasa.sh``). Trained models are cached under a key made of the data files
and the pipeline config, so a second run does not retrain.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from nlu.training_data import data_files

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"
DEFAULT_CONFIG = Path(__file__).parent / "config.yml"


def rasa_venv() -> Path:
    """``$CETS_RASA_VENV`` or ``~/.cache/cets/rasa-3.6.21``."""
    default = Path.home() / ".cache" / "cets" / f"rasa-{RASA_VERSION}"
    return Path(os.environ.get("CETS_RASA_VENV") or default)


def rasa_python() -> Path | None:
    """The Python of the Rasa environment (``$CETS_RASA_PYTHON`` wins), if it exists."""
    explicit = os.environ.get("CETS_RASA_PYTHON")
    python = Path(explicit) if explicit else rasa_venv() / "bin" / "python"
    return python if python.exists() else None


def model_cache_dir() -> Path:
    """Where trained Rasa models are kept: ``$CETS_RASA_MODEL_DIR`` or ``~/.cache/cets``.

    Deliberately not under ``$CETS_CACHE_DIR``: test suites point that at a temporary
    directory, and a Rasa model takes minutes to train.
    """
    explicit = os.environ.get("CETS_RASA_MODEL_DIR")
    return Path(explicit) if explicit else Path.home() / ".cache" / "cets" / "rasa-models"


def model_key(data_dir: Path, config: Path) -> str:
    """Hash of the training data and the pipeline config: a model is reused while it holds."""
    digest = hashlib.sha256(RASA_VERSION.encode())
    for path in [*data_files([data_dir]), config]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def _rasa_env() -> dict[str, str]:
    """Environment for Rasa commands: no telemetry, quiet TensorFlow."""
    env = dict(os.environ)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONWARNINGS": "ignore",
        }
    )
    return env


def train_model(
    python: Path,
    data_dir: Path,
    config: Path = DEFAULT_CONFIG,
    out_dir: Path | None = None,
    log_path: Path | None = None,
) -> tuple[Path, float]:
    """``rasa train nlu`` unless a model for this data and config is cached.

    Returns the model file and the seconds its training took (recorded next to the model, 0
    when unknown).
    """
    out_dir = out_dir or model_cache_dir()
    name = f"nlu-{model_key(data_dir, config)}"
    model = out_dir / f"{name}.tar.gz"
    sidecar = out_dir / f"{name}.json"
    if model.exists():
        try:
            return model, float(json.loads(sidecar.read_text())["train_seconds"])
        except (OSError, ValueError, KeyError):
            return model, 0.0
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rasa-train-") as work:
        log = open(log_path or Path(work) / "train.log", "wb")  # noqa: SIM115
        with log:
            # Run in a scratch directory: Rasa writes its .rasa/ cache into the cwd.
            result = subprocess.run(
                [
                    str(python), "-m", "rasa", "train", "nlu",
                    "--nlu", str(data_dir.resolve()),
                    "--config", str(config.resolve()),
                    "--out", str(out_dir.resolve()),
                    "--fixed-model-name", name,
                ],
                cwd=work, env=_rasa_env(), stdout=log, stderr=subprocess.STDOUT, check=False,
            )  # fmt: skip
        if result.returncode != 0 or not model.exists():
            tail = Path(log.name).read_text(errors="replace")[-3000:]
            raise RuntimeError(f"rasa train nlu failed ({result.returncode}):\n{tail}")
    took = time.perf_counter() - started
    sidecar.write_text(json.dumps({"train_seconds": round(took, 1)}))
    return model, took


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def process_tree_rss(pid: int) -> int:
    """Resident memory in bytes of a process and all its descendants (Linux /proc)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
    return total


class RasaServer:
    """A ``rasa run --enable-api`` process on a loopback port."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
        """Wrap a started server; use :func:`run_server`."""
        self.process = process
        self.port = port
        self.log_path = log_path
        self.url = f"http://127.0.0.1:{port}"

    def wait_ready(self, timeout: float = 300.0) -> float:
        """Block until the model is loaded and answers; returns the seconds it took."""
        started = time.perf_counter()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"rasa run exited ({self.process.returncode}):\n{self.log_tail()}"
                )
            try:
                request = urllib.request.Request(
                    f"{self.url}/model/parse",
                    data=b'{"text": "hello"}',
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=5) as resp:
                    if resp.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"Rasa not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's log (for error messages)."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Terminate the server and its children."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@contextlib.contextmanager
def run_server(python: Path, model: Path, log_dir: Path) -> Iterator[RasaServer]:
    """Start Rasa with ``model`` on a free loopback port; stop it on exit."""
    port = free_port()
    log_path = log_dir / f"rasa-run-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                str(python), "-m", "rasa", "run", "--enable-api",
                "--model", str(model), "--interface", "127.0.0.1", "--port", str(port),
            ],
            cwd=log_dir, env=_rasa_env(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    server = RasaServer(process, port, log_path)
    try:
        yield server
    finally:
        server.stop()
