"""A new replica's first sync copies the hub as its agent may see it, and keeps up after."""

from __future__ import annotations

import time
from pathlib import Path

from agentdesk.sync.engine import SyncStatus
from storage.database import Database
from tests.factories import AGENTS, ticket_id
from tests.hub.conftest import HubServer
from tests.sync.helpers import compared_rows, hub_desk, query, running, settled, workstation

ANA, EVA = AGENTS[0], AGENTS[3]  # tier 1, tier 3


def test_first_sync_equals_the_hub(hub_server: HubServer, tmp_path: Path) -> None:
    with hub_desk(hub_server, EVA[2]) as desk:
        desk.add_tags(ticket_id(1003), ["vip", "billing"])
        desk.escalate(ticket_id(1004), tier=3, reason="bug", summary="s", tried="t", impact="i")
    eva = workstation(hub_server, tmp_path / "eva", EVA[2])

    status = eva.sync()

    assert status == SyncStatus("synced", 0, "", status.cursor)
    assert status.cursor > 0
    assert eva.rows() == compared_rows(hub_server.store)
    assert query(eva.path, "SELECT count(*) FROM message_fts WHERE message_fts MATCH 'body'")[0][0]
    assert eva.sync().state == "synced"  # again: nothing new, nothing changes
    assert eva.rows() == compared_rows(hub_server.store)


def test_a_tier_1_replica_never_holds_restricted_notes(
    hub_server: HubServer, tmp_path: Path
) -> None:
    with hub_desk(hub_server, EVA[2]) as desk:
        desk.note(ticket_id(1001), "the customer's card data leaked", restricted=True)
    ana = workstation(hub_server, tmp_path / "ana", ANA[2])
    eva = workstation(hub_server, tmp_path / "eva", EVA[2])
    ana.sync()
    eva.sync()
    with hub_desk(hub_server, EVA[2]) as desk:  # and one arriving later, in an update
        desk.note(ticket_id(1002), "restricted again", restricted=True)
    ana.sync()
    eva.sync()

    restricted = "SELECT count(*) FROM message WHERE restricted = 1"
    assert query(ana.path, restricted) == [(0,)]
    assert query(eva.path, restricted) == [(2,)]
    assert ana.rows() == compared_rows(hub_server.store, hidden_from=ANA[0])
    assert eva.rows() == compared_rows(hub_server.store)


def test_running_engine_pushes_at_once_and_receives_within_a_second(
    hub_server: HubServer, tmp_path: Path
) -> None:
    ana = workstation(hub_server, tmp_path / "ana", ANA[2])
    with running(ana, hub_server) as statuses:
        settled(ana, statuses)
        started = time.monotonic()
        with ana.desk() as desk:  # the long-poll (25 s) is waiting: the watcher cuts it short
            desk.reply(ticket_id(1005), "On it")
        settled(ana, statuses, within=2.0)
        pushed_in = time.monotonic() - started
        with hub_desk(hub_server, EVA[2]) as desk:
            desk.set_priority(ticket_id(1006), "urgent")
        started = time.monotonic()
        while query(ana.path, "SELECT priority FROM ticket WHERE number = 1006") != [("urgent",)]:
            assert time.monotonic() - started < 1.0, "the hub's change took over a second"
            time.sleep(0.01)
    assert pushed_in < 2.0
    assert query(hub_server.store, "SELECT count(*) FROM message WHERE body = 'On it'") == [(1,)]
    assert statuses[-1] == SyncStatus("synced", 0, "", statuses[-1].cursor)


def test_a_first_sync_leaves_no_log_behind_while_the_tui_has_the_store_open(
    hub_server: HubServer, tmp_path: Path
) -> None:
    """The bulk load goes through the write-ahead log; it is emptied at the end, not left
    for the next small commit to copy (and on disk, as large as the whole replica)."""
    ana = workstation(hub_server, tmp_path / "ana", ANA[2])
    tui = Database.open(ana.path)  # another connection keeps the log from closing with the engine
    try:
        assert ana.sync().state == "synced"
        log = Path(f"{ana.path}-wal")
        assert log.exists()
        assert log.stat().st_size == 0
    finally:
        tui.close()
