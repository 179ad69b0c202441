"""A real PostgreSQL server for the tests: Debian's ``postgresql`` (``scripts/ensure-debian-packages.sh`` installs it),
``initdb`` and ``pg_ctl`` in a temporary folder, on a loopback port. As root (CI), the server runs as the
``postgres`` user: PostgreSQL refuses to run as root."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from evals.servers import free_port


def postgres_program(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed: run `bash scripts/ensure-debian-packages.sh`")
    return found


@contextmanager
def running_postgres() -> Iterator[str]:
    """Yields the server's SQLAlchemy URL base (``postgresql+psycopg://postgres@127.0.0.1:PORT``)."""
    folder = Path(tempfile.mkdtemp(prefix="postgres-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        owner = "postgres" if "postgres" in {p.pw_name for p in pwd.getpwall()} else "nobody"
        shutil.chown(folder, owner)
        as_user = ["runuser", "-u", owner, "--"]
    data, port = folder / "data", free_port()
    subprocess.run(
        [*as_user, postgres_program("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
        check=True, capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*as_user, postgres_program("pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-o", options, "start"],
        check=True, capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*as_user, postgres_program("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(server: str) -> str:
    """A new, empty database on the server; its URL."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"
