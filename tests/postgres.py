"""A real PostgreSQL server for the store's tests: initdb in a temporary folder, started on a free loopback port.

Debian's ``postgresql`` package provides the binaries (``make test`` installs it when missing). PostgreSQL refuses
to run as root, so under root the server runs as the ``postgres`` user, which owns the temporary folder.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """One throwaway PostgreSQL cluster. ``url(db)`` addresses a database in it; ``create_database`` makes one."""

    def __init__(self):
        bin_dir = pg_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin): run "
                               "`make test`, which installs Debian's postgresql package")
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="pprr-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.user = "pprr"
        self._as = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            os.chmod(self.dir, 0o700)
            self._as = ["runuser", "-u", "postgres", "--"]
        self.log = self.dir / "server.log"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self._as, *args], check=check, capture_output=True, text=True, timeout=120)

    def start(self) -> PostgresServer:
        atexit.register(self.destroy)  # also when a run ends without its fixtures' teardown
        if not self.data.exists():
            self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", self.user, "-A", "trust",
                      "-E", "UTF8", "--no-sync")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                  "-c max_connections=200", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def destroy(self) -> None:
        if self.dir.exists():
            self.stop("immediate")
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} dbname={database}",
                             autocommit=True) as conn:
            conn.execute(statement)

    def create_database(self, name: str) -> str:
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(name)
