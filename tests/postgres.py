"""A throwaway PostgreSQL server for tests: one private cluster per session, one database per test.

The hub runs on PostgreSQL through the same code as on SQLite, so its tests need a server as real
as our SQLite files. ``pg_cluster`` runs initdb once per session in a temporary directory and
starts a server on a free loopback port (plus a unix socket in that directory), so it never meets
a system server or a crashed earlier run; ``pg_url`` gives each test a new empty database.

PostgreSQL refuses to run as root: as root, the server runs as the ``postgres`` user (or a system
user made for it). Without server binaries the tests skip, unless AGENTDESK_TEST_POSTGRES=required
(CI sets it) makes that a failure.
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import TupleRow

if TYPE_CHECKING:
    from tests.hub.conftest import SeededTemplates

SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")
DIR_PREFIX = "agentdesk-pg-"
FALLBACK_USER = "agentdesk-test"

# Durability off (a test's data dies with the session); enough connections for the hub's
# one-connection-per-worker-thread tests.
SERVER_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "listen_addresses": "'127.0.0.1'",
    "max_wal_size": "'64MB'",  # checkpoint often: WAL would otherwise grow to 1GB in RAM
    "min_wal_size": "'32MB'",
}
RAM_DISK = Path("/dev/shm")
RAM_DISK_MIN_FREE = 1 << 30


# --------------------------------------------------------------------------- finding the server


def _is_bindir(path: Path) -> bool:
    return all(os.access(path / name, os.X_OK) for name in SERVER_PROGRAMS)


def _pg_config_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    try:
        done = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(done.stdout.strip())


def _version_key(bindir: Path) -> tuple[int, ...]:
    """/usr/lib/postgresql/9.6/bin → (9, 6): numeric, so 15 sorts after 9.6."""
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name))


def bindir_candidates() -> list[Path]:
    """Where the server binaries may be, in order of preference."""
    if explicit := os.environ.get("AGENTDESK_PG_BIN"):
        return [Path(explicit)]
    candidates = [path] if (path := _pg_config_bindir()) else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    if initdb := shutil.which("initdb"):
        candidates += [Path(initdb).parent, Path(initdb).resolve().parent]
    return candidates


def find_bindir() -> Path | None:
    """The first directory holding initdb, pg_ctl and postgres, if any."""
    return next((path for path in bindir_candidates() if _is_bindir(path)), None)


# --------------------------------------------------------------------------- the server's user


@dataclass(frozen=True)
class Account:
    """The OS user the server runs as."""

    name: str
    uid: int
    gid: int

    @classmethod
    def named(cls, name: str) -> Account:
        entry = pwd.getpwnam(name)
        return cls(entry.pw_name, entry.pw_uid, entry.pw_gid)


def server_account() -> Account:
    """Ourselves, or as root (which postgres refuses) an unprivileged user, created if need be."""
    if os.geteuid() != 0:
        return Account.named(pwd.getpwuid(os.geteuid()).pw_name)
    for name in ("postgres", FALLBACK_USER):
        with suppress(KeyError):
            return Account.named(name)
    # A concurrent session may win the race to create it: look it up either way.
    useradd = ["useradd", "--system", "--user-group", "--no-create-home"]
    subprocess.run(
        [*useradd, "--shell", "/usr/sbin/nologin", FALLBACK_USER], capture_output=True, check=False
    )
    return Account.named(FALLBACK_USER)


def _run_as(account: Account, argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a server program as the account, without PG* variables that could redirect it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    switch = account.uid != os.geteuid()
    return subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        user=account.uid if switch else None,
        group=account.gid if switch else None,
        extra_groups=[] if switch else None,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --------------------------------------------------------------------------- the cluster


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class PgCluster:
    """A running private cluster: where it lives, how to reach it, and its databases."""

    bindir: Path
    root: Path
    account: Account
    port: int = 0
    host: str = "127.0.0.1"
    _names: Iterator[int] = field(default_factory=itertools.count, init=False)
    _admin: psycopg.Connection[TupleRow] | None = field(default=None, init=False)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def user(self) -> str:
        return self.account.name

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"

    def admin(self) -> psycopg.Connection[TupleRow]:
        """One autocommit connection for CREATE/DROP DATABASE, opened on first use."""
        if self._admin is None or self._admin.closed:
            self._admin = psycopg.connect(self.url(), autocommit=True)
        return self._admin

    @contextmanager
    def database(self, hint: str = "db", *, template: str = "template0") -> Iterator[str]:
        """A new database for the block; its URL, dropped afterwards even if still in use.

        Empty, or a copy of ``template`` (the name of a database nobody is connected to):
        copying a seeded database is far cheaper than seeding each one again.
        """
        slug = re.sub(r"[^a-z0-9]+", "_", hint.lower()).strip("_")
        name = f"t{next(self._names)}_{slug}"[:63]
        ident = sql.Identifier(name)
        self.admin().execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(ident, sql.Identifier(template))
        )
        try:
            yield self.url(name)
        finally:
            self.admin().execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))

    # ----------------------------------------------------------------------- life cycle

    def pg(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        return _run_as(self.account, [str(self.bindir / program), *args], cwd=self.root)

    def init(self) -> None:
        done = self.pg(
            "initdb",
            *("-D", str(self.data_dir), "-A", "trust", "-E", "UTF8"),
            *("--locale=C", "--no-sync"),
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{done.stdout}{done.stderr}")
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# tests/postgres.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in SERVER_SETTINGS.items())

    def start(self, attempts: int = 3) -> None:
        """Start on a free port; if another process takes it first, try another."""
        for _ in range(attempts):
            self.port = _free_port()
            options = f"-p {self.port} -k {self.socket_dir}"
            done = self.pg(
                "pg_ctl",
                *("start", "-w", "-t", "60", "-D", str(self.data_dir)),
                *("-l", str(self.log_file), "-o", options),
            )
            if done.returncode == 0:
                return
            if "could not bind" not in self.server_log():
                break
        raise RuntimeError(f"pg_ctl start failed:\n{done.stdout}{done.stderr}{self.server_log()}")

    def server_log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self._admin is not None:
            with suppress(psycopg.Error):
                self._admin.close()
        if (self.data_dir / "postmaster.pid").exists():
            self.pg("pg_ctl", "stop", "-w", "-D", str(self.data_dir), "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def base_dirs() -> list[Path]:
    """Where clusters live: a roomy RAM disk if there is one, else the temporary directory.

    CREATE DATABASE writes some 300 files; on a disk that can cost 300 ms a test, in RAM 20 ms.
    """
    if explicit := os.environ.get("AGENTDESK_PG_TMPDIR"):
        return [Path(explicit)]
    disk = Path(tempfile.gettempdir())
    with suppress(OSError):
        ram = os.statvfs(RAM_DISK)
        if ram.f_bavail * ram.f_frsize >= RAM_DISK_MIN_FREE and os.access(RAM_DISK, os.W_OK):
            return [RAM_DISK, disk]
    return [disk]


def new_cluster(bindir: Path) -> PgCluster:
    """An initialised, started cluster in a fresh temporary directory owned by the server user."""
    sweep_stale_clusters(bindir)
    root = Path(tempfile.mkdtemp(prefix=DIR_PREFIX, dir=base_dirs()[0]))
    (root / "owner.pid").write_text(str(os.getpid()))
    cluster = PgCluster(bindir=bindir, root=root, account=server_account())
    try:
        os.chown(root, cluster.account.uid, cluster.account.gid)
        cluster.init()
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster


def sweep_stale_clusters(bindir: Path) -> None:
    """Stop and remove the clusters of earlier sessions that died without cleaning up."""
    for root in (root for base in base_dirs() for root in base.glob(f"{DIR_PREFIX}*")):
        try:
            owner = int((root / "owner.pid").read_text())
            stat = root.stat()
            name = pwd.getpwuid(stat.st_uid).pw_name
        except (OSError, ValueError, KeyError):
            continue  # being created right now, or not ours to judge
        if _pid_alive(owner) or os.geteuid() not in (0, stat.st_uid):
            continue
        stale = PgCluster(bindir=bindir, root=root, account=Account(name, stat.st_uid, stat.st_gid))
        with suppress(OSError, subprocess.SubprocessError):
            stale.stop()


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A private PostgreSQL cluster for the session (initdb + start, about a second)."""
    bindir = find_bindir()
    if bindir is None:
        looked = ", ".join(str(path) for path in bindir_candidates()) or "nowhere"
        message = (
            "PostgreSQL server binaries not found: no initdb, pg_ctl and postgres in "
            f"{looked}; install postgresql or set AGENTDESK_PG_BIN to their directory"
        )
        if os.environ.get("AGENTDESK_TEST_POSTGRES") == "required":
            pytest.fail(f"{message} (AGENTDESK_TEST_POSTGRES=required)", pytrace=False)
        pytest.skip(message)
    try:
        cluster = new_cluster(bindir)
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        pytest.fail(f"could not start the test PostgreSQL server: {error}", pytrace=False)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: PgCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """postgresql://USER@127.0.0.1:PORT/DBNAME of a new empty database, dropped after the test."""
    with pg_cluster.database(request.node.name) as url:
        yield url


@pytest.fixture(scope="session")
def pg_hub_templates(
    pg_cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory
) -> SeededTemplates:
    """The session's seeded PostgreSQL hubs to copy from (one definition for every directory)."""
    from tests.hub.conftest import SeededTemplates  # noqa: PLC0415 - it imports this module

    return SeededTemplates(pg_cluster, tmp_path_factory.mktemp("pg-seeds"))
