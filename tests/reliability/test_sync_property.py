"""Property: any interleaving of offline edits on several workstations converges.

Each example starts a real hub, logs 2-3 workstations in, runs a random sequence
of Desk actions and sync points on them (every workstation is offline between
its own syncs), then lets them all sync until quiet. Every replica must then
equal the hub, and every reply or note the hub accepted must be on it.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentdesk.desk import DeskError
from tests.factories import AGENTS, PRIORITIES, STATUSES, ticket_id
from tests.hub.conftest import HubServer, ThreadedHub, hub_store
from tests.sync.helpers import Workstation, compared_rows, query, workstation

TICKETS = [ticket_id(1000 + i) for i in range(3)]
PEOPLE = (AGENTS[0], AGENTS[1], AGENTS[2])  # Ana and Ben (tier 1), Dev (tier 2)
TAGS = ("vip", "billing", "bug")
SENT_MESSAGES = "SELECT args FROM outbox WHERE state = 'applied' AND op IN ('reply', 'note')"
_counter = itertools.count()
Step = tuple[int, tuple[object, ...]]  # (which workstation, what it does)

ticket = st.sampled_from(TICKETS)
action = st.one_of(
    st.tuples(st.just("sync")),
    st.tuples(st.just("reply"), ticket),
    st.tuples(st.just("note"), ticket),
    st.tuples(st.just("set_status"), ticket, st.sampled_from(STATUSES)),
    st.tuples(st.just("set_priority"), ticket, st.sampled_from(PRIORITIES)),
    st.tuples(st.just("add_tags"), ticket, st.sampled_from(TAGS)),
    st.tuples(st.just("remove_tags"), ticket, st.sampled_from(TAGS)),
    st.tuples(st.just("assign"), ticket, st.sampled_from([*(p[2] for p in PEOPLE), None])),
)
scenario = st.integers(2, 3).flatmap(
    lambda clients: st.tuples(
        st.just(clients), st.lists(st.tuples(st.integers(0, clients - 1), action), max_size=14)
    )
)


def act(ws: Workstation, step: tuple[object, ...]) -> None:
    """Apply one step on a workstation; a refusal (the Desk said no) changes nothing."""
    name, *args = step
    if name == "sync":
        ws.sync()
        return
    with ws.desk() as desk:
        try:
            if name in ("reply", "note"):
                getattr(desk, name)(args[0], f"{name} {next(_counter)}")
            elif name == "assign":
                desk.assign(str(args[0]), agent=args[1] and str(args[1]))
            elif name in ("add_tags", "remove_tags"):
                getattr(desk, name)(args[0], [args[1]])
            else:
                getattr(desk, name)(*args)
        except DeskError:
            pass


Case = tuple[int, list[tuple[int, tuple[object, ...]]]]
# ``request`` only reaches the session's PostgreSQL server: nothing is shared between examples.
SLOW = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@settings(SLOW, max_examples=20)
@given(case=scenario)
def test_random_offline_edits_converge_everywhere(
    request: pytest.FixtureRequest, case: Case
) -> None:
    converge("sqlite", request, case)


@settings(SLOW, max_examples=8)
@given(case=scenario)
def test_random_offline_edits_converge_on_a_postgresql_hub_too(
    request: pytest.FixtureRequest, case: Case
) -> None:
    """The same property with the hub on PostgreSQL (fewer examples: each costs more)."""
    converge("postgresql", request, case)


def converge(backend: str, request: pytest.FixtureRequest, case: Case) -> None:
    """Apply the case's offline edits, sync everyone twice: every store agrees."""
    clients, steps = case
    with (
        tempfile.TemporaryDirectory() as directory,
        hub_store(Path(directory) / "hub.db", backend, request, tickets=len(TICKETS)) as path,
    ):
        root = Path(directory)
        running = ThreadedHub.start(path)
        try:
            hub = HubServer(running.url, path)
            stations = [workstation(hub, root, PEOPLE[n][2]) for n in range(clients)]
            for ws in stations:
                ws.sync()
            for who, step in steps:
                act(stations[who], step)
            for _ in range(2):  # everyone pushes, then everyone pulls what the others pushed
                for ws in stations:
                    assert ws.sync().state == "synced"

            hub_messages = {row[0] for row in query(path, "SELECT id FROM message")}
            for person, ws in zip(PEOPLE, stations, strict=False):
                assert ws.rows() == compared_rows(path, hidden_from=person[0])
                assert "pending" not in {state for _, _, state, _ in ws.outbox()}
                for (args,) in query(
                    ws.path,
                    "SELECT args FROM outbox WHERE state = 'applied' AND op IN ('reply', 'note')",
                ):
                    assert __import__("json").loads(args)["message_id"] in hub_messages
        finally:
            running.stop()
