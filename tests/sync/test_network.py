"""A flaky network between workstation and hub: cut answers, 500s, 429s, a hub that is gone."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.factories import AGENTS, ticket_id
from tests.hub.conftest import HubServer
from tests.sync.helpers import compared_rows, query, running, settled, workstation
from tests.sync.proxy import Fault, FaultyProxy

ANA = AGENTS[0]


def hub_port(hub: HubServer) -> int:
    port = urlsplit(hub.url).port
    assert port is not None
    return port


def test_a_push_whose_answer_is_cut_is_applied_once(hub_server: HubServer, tmp_path: Path) -> None:
    ana = workstation(hub_server, tmp_path, ANA[2])
    ana.sync()
    with ana.desk() as desk:
        desk.reply(ticket_id(1001), "Sent through a bad link")
        desk.add_tags(ticket_id(1001), ["flaky"])
    with FaultyProxy(hub_port(hub_server)) as proxy:
        proxy.fail(Fault("/v1/mutations", "cut"))

        first = ana.sync(url=proxy.url)  # the hub applies both; the answer never arrives
        assert first.state == "offline"
        assert first.pending == 2
        assert proxy.armed() == 0
        assert query(hub_server.store, "SELECT last_seq FROM hub_client") == [(2,)]

        second = ana.sync(url=proxy.url)  # pushed again: the hub answers with the first results

    assert second.state == "synced"
    assert [state for _, _, state, _ in ana.outbox()] == ["applied", "applied"]
    assert query(
        hub_server.store, "SELECT count(*) FROM message WHERE body = 'Sent through a bad link'"
    ) == [(1,)]
    assert query(hub_server.store, "SELECT count(*) FROM hub_mutation") == [(2,)]
    assert ana.rows() == compared_rows(hub_server.store, hidden_from=ANA[0])


def test_500_and_429_are_survived_and_retry_after_is_honoured(
    hub_server: HubServer, tmp_path: Path
) -> None:
    ana = workstation(hub_server, tmp_path, ANA[2])
    ana.sync()
    with (
        FaultyProxy(hub_port(hub_server)) as proxy,
        running(ana, hub_server, url=proxy.url) as statuses,
    ):
        settled(ana, statuses)
        proxy.fail(
            Fault("/v1/mutations", "status", status=500),
            Fault("/v1/mutations", "status", status=503),
            Fault("/v1/mutations", "status", status=429, retry_after="1"),
        )
        with ana.desk() as desk:
            desk.set_priority(ticket_id(1002), "urgent")
        settled(ana, statuses)
        pushes = [at for at, line in proxy.requests if line.startswith("POST /v1/mutations")]

    assert proxy.armed() == 0
    assert len(pushes) == 4  # three refused, then accepted
    assert pushes[3] - pushes[2] >= 1.0  # the hub said: retry after 1 s
    offline = [s for s in statuses if s.state == "offline"]
    assert {s.pending for s in offline} == {1}
    assert any("429" in s.detail and "retrying in 1.0 s" in s.detail for s in offline)
    assert query(hub_server.store, "SELECT priority FROM ticket WHERE number = 1002") == [
        ("urgent",)
    ]
    assert ana.rows() == compared_rows(hub_server.store, hidden_from=ANA[0])


def test_offline_while_the_hub_is_unreachable_then_catches_up(
    hub_server: HubServer, tmp_path: Path
) -> None:
    ana = workstation(hub_server, tmp_path, ANA[2])
    ana.sync()
    with (
        FaultyProxy(hub_port(hub_server)) as proxy,
        running(ana, hub_server, url=proxy.url) as statuses,
    ):
        settled(ana, statuses)
        proxy.down()
        with ana.desk() as desk:
            desk.note(ticket_id(1003), "written offline")
            desk.note(ticket_id(1003), "still offline")
        deadline = time.monotonic() + 5
        while not (statuses[-1].state == "offline" and statuses[-1].pending == 2):
            assert time.monotonic() < deadline, statuses[-3:]
            time.sleep(0.02)
        proxy.up()
        settled(ana, statuses, within=40)  # backoff is capped at 30 s; jitter makes it shorter
    assert str(statuses[-1]) == "synced"
    assert ana.rows() == compared_rows(hub_server.store, hidden_from=ANA[0])
