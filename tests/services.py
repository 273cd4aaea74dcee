"""Throwaway servers for tests that must stop or break one: never the machine's shared ones."""

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import redis

from deploy.local.processes import Process
from deploy.local.stack import free_port


class RedisServer(Process):
    """A redis-server of our own that a test can stop and start again on the same port.

    No persistence: a restart comes back empty, as a Redis that crashed without AOF/RDB does.
    """

    def __init__(self, directory: Path, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (Debian package redis-server)"
        self.port = port or free_port()
        super().__init__(
            "redis-server",
            [
                binary,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(directory)),
            ],
            env=os.environ,
            log=directory / "redis-server.log",
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        self.spawn()
        self.wait_until(self._answers, "redis-server to answer PING", timeout=timeout, pause=0.05)

    def __enter__(self) -> Self:
        self.start()
        return self

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping())
        except redis.ConnectionError:
            return False


@contextlib.contextmanager
def redis_server(tmp_path: Path) -> Iterator[str]:
    """A redis-server of our own on a spare loopback port (no persistence); yields its URL."""
    with RedisServer(tmp_path) as server:
        yield server.url


POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def _postgres_bin() -> Path:
    candidates = sorted(
        (Path(p) for p in glob.glob(POSTGRES_BIN_GLOB) if (Path(p) / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    assert candidates, f"no initdb under {POSTGRES_BIN_GLOB} (Debian package postgresql)"
    return candidates[-1]


class PostgresServer:
    """A PostgreSQL cluster of our own (initdb + pg_ctl): trust auth, a spare loopback port,
    its unix socket in its own directory. Stop and start it again on the same port at will.

    PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user
    and every command runs through runuser.
    """

    def __init__(self, port: int | None = None) -> None:
        self.bin = _postgres_bin()
        self.port = port or free_port()
        # Not under pytest's tmp_path: its parents are private to the test's user.
        self.directory = Path(tempfile.mkdtemp(prefix="fault-postgres-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            assert runuser, "running as root needs runuser to start PostgreSQL as postgres"
            self._as_user = [runuser, "-u", "postgres", "--"]
            shutil.chown(self.directory, "postgres")
        self.directory.chmod(0o700)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str, timeout: float = 60) -> None:
        subprocess.run(
            [*self._as_user, *command],
            check=True,
            capture_output=True,
            timeout=timeout,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(self.directory)},
        )

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            *("-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"),
        )

    def start(self, timeout: float = 30) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"),
            *("-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", str(int(timeout))),
            "start",
            timeout=timeout + 10,
        )

    def stop(self, mode: str = "fast", timeout: float = 30) -> None:
        self._run(
            str(self.bin / "pg_ctl"),
            *("-D", str(self.data), "-m", mode, "-w", "-t", str(int(timeout))),
            "stop",
            timeout=timeout + 10,
        )

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        if self.running():
            with contextlib.suppress(subprocess.SubprocessError):
                self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


@contextlib.contextmanager
def postgres_server(tmp_path: Path | None = None) -> Iterator[PostgresServer]:
    """A PostgreSQL of our own on a spare loopback port; `server.stop()` / `server.start()`
    restart it on the same port. Everything is removed afterwards."""
    server = PostgresServer()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()
