"""A team moves its hub from SQLite to PostgreSQL: workstations carry on where they were."""

from __future__ import annotations

from pathlib import Path

from storage.pg_copy import copy_file
from tests.factories import AGENTS, ticket_id
from tests.hub.conftest import HubServer, ThreadedHub, seed_hub
from tests.sync.helpers import compared_rows, query, workstation

ANA, BEN = AGENTS[0], AGENTS[1]
CURSOR = "SELECT cursor FROM sync_cursor"


def test_a_workstation_synced_with_the_sqlite_hub_carries_on_against_its_copy(
    tmp_path: Path, pg_url: str
) -> None:
    path = seed_hub(tmp_path / "hub.db")
    old = ThreadedHub.start(path)
    try:
        ana = workstation(HubServer(old.url, path), tmp_path / "ana", ANA[2])
        ana.sync()
        with ana.desk() as desk:
            desk.reply(ticket_id(1003), "pushed to the old hub")
        ana.sync()
        with ana.desk() as desk:  # pending when the hub moves
            desk.reply(ticket_id(1004), "written during the move")
    finally:
        old.stop()
    (cursor_before,) = query(ana.path, CURSOR)[0]

    copy_file(path, pg_url)
    new = ThreadedHub.start(pg_url)
    try:
        hub = HubServer(new.url, pg_url)
        ana.sync(url=new.url)  # the same token and client id, the hub's new address
        ben = workstation(hub, tmp_path / "ben", BEN[2])
        ben.sync()
        with ben.desk() as desk:
            desk.note(ticket_id(1004), "seen on the new hub")
        ben.sync()
        ana.sync(url=new.url)
    finally:
        new.stop()

    assert ana.outbox() and all(state == "applied" for _, _, state, _ in ana.outbox())
    for body in ("pushed to the old hub", "written during the move", "seen on the new hub"):
        assert query(pg_url, "SELECT count(*) FROM message WHERE body = ?", body) == [(1,)], body
    (cursor_after,) = query(ana.path, CURSOR)[0]
    moved = query(pg_url, "SELECT count(*) FROM change WHERE seq > ?", cursor_before)[0][0]
    # The feed kept its numbers (no second backfill behind Ana's cursor): she read only the
    # few changes made since, and her replica agrees with the new hub.
    assert cursor_after > cursor_before and moved < 20
    assert ana.rows() == compared_rows(pg_url, hidden_from=ANA[0])
