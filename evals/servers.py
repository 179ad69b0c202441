"""Starting real servers on loopback ports for benchmarks and tests: a free port, waiting until a server answers,
`chroma run` from the installed chromadb package, and the chat app under `streamlit run`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen, what: str, timeout_s: float = 90, log: str = "") -> None:  # type: ignore[type-arg]
    """Poll ``url`` until it answers; RuntimeError naming ``what`` if the process dies or time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start{': ' + log[-2000:] if log else ''}") from None
            time.sleep(0.4)


@contextmanager
def running_chroma_server(path: Path) -> Iterator[int]:
    """`chroma run` persisting to ``path`` on a free loopback port (telemetry off); yields the port."""
    port = free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/v2/heartbeat", process, "chroma run", 60)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def streamlit_app(port: int, cwd: Path, log: Path | None = None, **environment: str) -> Iterator[None]:
    """The real app on 127.0.0.1:``port``, run from ``cwd`` (where Streamlit looks for ``.streamlit/``), with these
    environment variables and no model endpoint, its output written to ``log`` if given; stopped on exit."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root), **environment}
    env.pop("OPENAI_API_KEY", None)
    output = log.open("w") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(root / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        stdout=output, stderr=subprocess.STDOUT, env=env, cwd=cwd,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/_stcore/health", process, "streamlit")
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)
        if log:
            output.close()
