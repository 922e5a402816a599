"""`agentdesk demo`: a live team on this machine — a hub, customers writing in, workstations.

In order: the demo workspace is generated (or reused) as the hub's store and opened
as a hub (its feed backfilled once); its channels get secrets and, as outbound
URL, the traffic simulator's receiver; the hub (``agentdesk hub``) and the
simulator start as child processes on free loopback ports; each workstation's
replica is logged in (token minted once, hashed in the hub) and synced up front,
with a progress line; then the TUI opens on the first one and keeps syncing in the
background. Extra workstations (``--agents N``) open in tmux panes, or their
commands are printed. Whatever ends the demo (quitting, Ctrl-C, an error, SIGTERM),
the panes, the simulator and the hub are stopped before it returns.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType
from typing import Final

import httpx
from rich.console import Console

from agentdesk.demo import AGENTS, DEFAULT_AGENT_EMAIL
from agentdesk.demo.traffic import TrafficConfig
from agentdesk.demo_command import prepare_demo
from agentdesk.hub.store import open_hub
from agentdesk.live_demo import panes
from agentdesk.live_demo.processes import Child, ChildFailed, free_port
from agentdesk.live_demo.seats import (
    DELIVERED,
    Seat,
    configure_channels,
    hub_last_change,
    remove_demo_files,
    seat,
)
from agentdesk.sync.client import SyncError
from agentdesk.sync.login import LoginRefused

HOST: Final = "127.0.0.1"
#: Seconds the hub and the simulator get to start listening.
START_SECONDS: Final = 20.0


class DemoError(Exception):
    """The live demo could not start; the message says why (one or a few lines)."""


@dataclass(frozen=True, slots=True)
class LiveOptions:
    """What ``agentdesk demo`` was asked for."""

    hub_path: Path
    tickets: int = 5000
    seed: int = 7
    fresh: bool = False
    rate: float = 6.0
    agents: int = 0
    agent: str | None = None


@dataclass(frozen=True, slots=True)
class LiveDemo:
    """A running demo: where the hub listens and the workstations it made."""

    hub_url: str
    seats: tuple[Seat, ...]
    hub: Child
    traffic: Child


def _seat_emails(first: str, extra: int) -> list[str]:
    """The first workstation's agent, then ``extra`` more from the demo team, in order."""
    others = [a.email for a in AGENTS if a.email.lower() != first.lower()]
    if extra > len(others):
        raise DemoError(f"--agents: the demo team has {len(others)} other agents")
    return [first, *others[:extra]]


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code < 500
    except httpx.HTTPError:
        return False


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it holds the channels' secrets)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


@contextmanager
def live_demo(options: LiveOptions, console: Console) -> Iterator[LiveDemo]:
    """Start everything; on leaving the block (however), stop it all.

    Raises:
        DemoError: the hub or the simulator did not start, or a workstation could not sync.
        StoreError, ValueError: the demo store could not be made (as ``prepare_demo``).
    """
    directory = options.hub_path.parent
    prepare_hub_store(options, console)
    hub_port, receiver_port = free_port(HOST), free_port(HOST)
    hub_url = f"http://{HOST}:{hub_port}"
    traffic = TrafficConfig(hub_url, {}, options.rate, options.seed, HOST, receiver_port)
    outbound = {name: traffic.outbound_url(name) for name in DELIVERED}
    secrets = configure_channels(options.hub_path, outbound)
    config_path = directory / "traffic.json"
    _write_private(config_path, json.dumps({**asdict(traffic), "secrets": secrets}))

    with ExitStack() as stack:
        hub = Child.start(
            "hub",
            [sys.executable, "-m", "agentdesk", "hub", "--db", str(options.hub_path),
             "--host", HOST, "--port", str(hub_port)],
            directory / "hub.log",
        )  # fmt: skip
        stack.callback(hub.stop)
        simulator = Child.start(
            "traffic simulator",
            [sys.executable, "-m", "agentdesk.demo.traffic", str(config_path)],
            directory / "traffic.log",
        )
        stack.callback(simulator.stop)
        try:
            with console.status(f"Starting the hub on {hub_url}…"):
                hub.wait_until(lambda: _answers(f"{hub_url}/openapi.json"), START_SECONDS)
        except ChildFailed as exc:
            raise DemoError(str(exc)) from exc
        emails = _seat_emails(options.agent or DEFAULT_AGENT_EMAIL, options.agents)
        try:
            seats = tuple(seat(options.hub_path, directory, email, hub_url) for email in emails)
        except (SyncError, LoginRefused) as exc:
            raise DemoError(f"a workstation could not log in: {exc}") from exc
        total = hub_last_change(options.hub_path)
        _first_syncs(seats, total, console)
        yield LiveDemo(hub_url, seats, hub, simulator)


def _first_syncs(seats: tuple[Seat, ...], total: int, console: Console) -> None:
    from agentdesk.live_demo.first_sync import first_sync  # noqa: PLC0415 - loads the engine

    for workstation in seats:
        label = f"{workstation.first_name}'s workstation"
        status = first_sync(workstation.replica, label=label, total=total, console=console)
        if status.state != "synced":
            raise DemoError(f"{label} could not sync: {status}")
        console.print(f"{label} is in sync ({workstation.replica})", markup=False, highlight=False)


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into SystemExit while the demo runs, so its cleanup always happens."""

    def leave(_signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(143)

    previous = signal.signal(signal.SIGTERM, leave)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def open_extra_workstations(demo: LiveDemo, console: Console) -> list[str]:
    """Panes for the extra workstations (inside tmux), else the commands to type."""
    extra = [s.replica for s in demo.seats[1:]]
    if not extra:
        return []
    if panes.in_tmux():
        return panes.open_panes(extra)
    console.print("Open the other workstations in other terminals (while this demo runs):")
    for workstation in demo.seats[1:]:
        command = " ".join(panes.workstation_command(workstation.replica))
        console.print(f"  {workstation.first_name}: {command}", markup=False, highlight=False)
    if sys.stdin.isatty():
        input("Press Enter to open the first workstation… ")
    return []


def prepare_hub_store(options: LiveOptions, console: Console) -> None:
    """Generate (or reuse) the demo workspace and open it as a hub once (``--no-open``)."""
    directory = options.hub_path.parent
    directory.mkdir(parents=True, exist_ok=True)
    if options.fresh:
        remove_demo_files(directory)
    prepare_demo(options.hub_path, tickets=options.tickets, seed=options.seed, fresh=False)
    with console.status("Opening the demo workspace as the team hub…"):
        open_hub(options.hub_path).close()  # the first time: backfills the change feed


def run_live(options: LiveOptions, open_workstation: Callable[[Seat], None]) -> None:
    """The whole live demo: start it, open the first workstation, stop everything after."""
    console = Console(stderr=True)
    with stop_on_sigterm(), live_demo(options, console) as demo:
        extra = open_extra_workstations(demo, console)
        try:
            open_workstation(demo.seats[0])
        finally:
            panes.close_panes(extra)
