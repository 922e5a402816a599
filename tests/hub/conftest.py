"""The REAL hub on 127.0.0.1 for tests: in a thread (fast) or a subprocess (killable).

``hub_server`` serves a seeded store (:func:`tests.factories.make_workspace`, 20
tickets, plus an admin) with uvicorn in a thread of the test process: cheap to
start, and the test's fixed clock applies to it. ``hub_process`` starts
``python -m agentdesk hub`` instead, for tests that restart or kill it. Both give
a :class:`HubServer`: its base URL, its store and tokens per role.

Every hub test runs twice, on a SQLite file and on a PostgreSQL database
(``hub_backend``): the hub is one code on either. A PostgreSQL hub is seeded the
way a team moves to one, by copying the seeded SQLite store (``agentdesk hub copy``).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn

from agentdesk.hub.app import BackgroundTask, create_app
from agentdesk.hub.auth import add_agent
from agentdesk.hub.store import open_hub
from storage.hub import revoke_tokens
from storage.pg_copy import copy_file
from storage.stores import open_store
from tests.cli_support import sealed_env
from tests.factories import AGENTS, T0, make_workspace
from tests.postgres import PgCluster

ADMIN = ("Ada Admin", "ada@support.example.com", "admin")
#: The factory agent (or the admin) who holds each role in the seeded store.
EMAIL_OF_ROLE = {
    "1": AGENTS[0][2],  # Ana
    "2": AGENTS[2][2],  # Dev
    "3": AGENTS[3][2],  # Eva
    "lead": AGENTS[4][2],  # Lee
    "admin": ADMIN[1],
}
ROLES = tuple(EMAIL_OF_ROLE)


@dataclass
class HubServer:
    """A running hub: where it listens, its store, and tokens minted on demand."""

    url: str
    #: The hub's store: a SQLite file or a PostgreSQL URL.
    store: str | Path
    _tokens: dict[str, str] = field(default_factory=dict)

    def token(self, role: str) -> str:
        """A bearer token of the agent holding ``role`` (one per role, cached)."""
        if role not in self._tokens:
            self._tokens[role] = self.mint(EMAIL_OF_ROLE[role])
        return self._tokens[role]

    def mint(self, email: str, *, name: str = "", tier: str = "1") -> str:
        """A new token of the agent with ``email`` (created with ``name``/``tier`` if new)."""
        db = open_store(self.store)
        try:
            return add_agent(db, name=name or email, email=email, tier=tier).token
        finally:
            db.close()

    def revoke(self, email: str) -> None:
        """Revoke every token of the agent."""
        db = open_store(self.store)
        try:
            with db.transaction() as conn:
                agent_id = conn.execute("SELECT id FROM agent WHERE email = ?", (email,)).fetchone()
                revoke_tokens(conn, agent_id[0], at=T0)
        finally:
            db.close()

    def client(self, role: str | None = None, *, timeout: float = 10.0) -> httpx.Client:
        """An httpx client for the hub, authenticated as ``role`` (or not at all)."""
        headers = {} if role is None else {"Authorization": f"Bearer {self.token(role)}"}
        # Plain HTTP on loopback: no TLS context to build (it costs ~0.1 s per client).
        transport = httpx.HTTPTransport(verify=False)
        return httpx.Client(
            base_url=self.url,
            headers=headers,
            timeout=timeout,
            transport=transport,
            trust_env=False,
        )


def seed_hub(where: Path, url: str | None = None, *, tickets: int = 20) -> str | Path:
    """A hub store: :func:`make_workspace` plus an admin agent (:data:`ADMIN`).

    ``where``: the SQLite file; with a PostgreSQL ``url``, that file is only the
    seed, copied into the (empty) database there.
    """
    make_workspace(where, tickets)
    store: str | Path = where
    if url is not None:
        copy_file(where, url)  # as `agentdesk hub copy` does
        store = url
    db = open_hub(store)
    try:
        add_agent(db, name=ADMIN[0], email=ADMIN[1], tier=ADMIN[2])
    finally:
        db.close()
    return store


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def hub_backend(request: pytest.FixtureRequest) -> str:
    """Which database the hub runs on (every hub test runs on both)."""
    return str(request.param)


@dataclass
class SeededTemplates:
    """Seeded PostgreSQL hub databases, one per ticket count, copied for each test."""

    cluster: PgCluster
    root: Path
    names: dict[int, str] = field(default_factory=dict)

    def name(self, tickets: int) -> str:
        """The template with ``tickets`` tickets (seeded the first time it is asked for)."""
        if tickets not in self.names:
            seed = self.root / f"seed-{tickets}" / "hub.db"
            seed.parent.mkdir()
            name = f"hub_template_{tickets}"
            self.cluster.admin().execute(f"CREATE DATABASE {name} TEMPLATE template0")
            seed_hub(seed, self.cluster.url(name), tickets=tickets)  # closes its connections
            self.names[tickets] = name
        return self.names[tickets]


@contextmanager
def hub_store(
    where: Path, backend: str, request: pytest.FixtureRequest, *, tickets: int = 20
) -> Iterator[str | Path]:
    """A seeded hub store on ``backend`` (a PostgreSQL database is dropped afterwards)."""
    if backend == "sqlite":
        yield seed_hub(where, tickets=tickets)
        return
    templates: SeededTemplates = request.getfixturevalue("pg_hub_templates")  # tests/conftest.py
    with templates.cluster.database(where.parent.name, template=templates.name(tickets)) as url:
        yield url


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def free_port() -> int:
    """A port nobody listens on right now (for a subprocess to bind)."""
    with _bound_socket() as sock:
        return int(sock.getsockname()[1])


@dataclass
class ThreadedHub:
    """uvicorn serving the hub app in a daemon thread of this process."""

    server: uvicorn.Server
    thread: threading.Thread
    url: str

    @classmethod
    def start(cls, store: str | Path, tasks: Sequence[BackgroundTask] = ()) -> ThreadedHub:
        """Serve ``store`` on a fresh port; returns once the app is up.

        ``tasks``: background tasks to run (none by default; B's delivery tests pass
        ``agentdesk.hub.delivery.run_delivery_worker``).
        """
        sock = _bound_socket()
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            create_app(store, tasks=tasks), log_level="warning", access_log=False, lifespan="on"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the hub did not start")
            time.sleep(0.01)
        return cls(server, thread, f"http://127.0.0.1:{port}")

    def stop(self) -> None:
        """Shut down gracefully (lifespan end included)."""
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def hub_server(
    tmp_path: Path, hub_backend: str, request: pytest.FixtureRequest
) -> Iterator[HubServer]:
    """A real hub (thread) on a seeded store of this test's own."""
    with hub_store(tmp_path / "hub.db", hub_backend, request) as store:
        running = ThreadedHub.start(store)
        try:
            yield HubServer(running.url, store)
        finally:
            running.stop()


@pytest.fixture(scope="module", params=BACKENDS)
def shared_hub(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[HubServer]:
    """One real hub for a whole module of tests that only read or add their own rows."""
    backend = str(request.param)
    seed = tmp_path_factory.mktemp("hub") / "hub.db"
    with hub_store(seed, backend, request) as store:
        running = ThreadedHub.start(store)
        try:
            yield HubServer(running.url, store)
        finally:
            running.stop()


@dataclass
class HubProcess:
    """``agentdesk hub`` in a subprocess: start, kill (SIGKILL) and restart on one store."""

    store: str | Path
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The base URL (the same across restarts)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> None:
        """Run the hub and wait until it answers."""
        command = [sys.executable, "-m", "agentdesk", "hub", "--db", str(self.store)]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the hub exited: {self.process.stderr and self.process.stderr.read()!r}"
                )
            try:
                httpx.get(f"{self.url}/v1/me", timeout=0.5)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the hub did not start in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait (graceful)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        """Stop, then start again on the same port and store."""
        self.stop()
        self.start()


@pytest.fixture
def hub_process(
    tmp_path: Path, hub_backend: str, request: pytest.FixtureRequest
) -> Iterator[Callable[[], HubProcess]]:
    """A factory of hub subprocesses on one seeded store; each is stopped at teardown.

    Uses the real clock (the subprocess does not see the test's fixed one); mint
    tokens with :class:`HubServer` on ``process.store`` and ``process.url``.
    """
    stack = ExitStack()
    store = stack.enter_context(hub_store(tmp_path / "hub.db", hub_backend, request))
    started: list[HubProcess] = []

    def make() -> HubProcess:
        process = HubProcess(store, free_port(), sealed_env(tmp_path))
        process.start()
        started.append(process)
        return process

    with stack:
        try:
            yield make
        finally:
            for process in started:
                process.stop()
