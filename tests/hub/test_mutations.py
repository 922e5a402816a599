"""POST /v1/mutations over real HTTP: applied once, rejected with reasons, the merge rule."""

from __future__ import annotations

import json

import pytest

from tests.factories import ticket_id
from tests.hub.conftest import HubServer
from tests.hub.helpers import mutation, push, results, scalar

T1001 = ticket_id(1001)  # open, normal priority, unassigned, version 1


def _messages(hub: HubServer) -> int:
    return int(scalar(hub.store, "SELECT count(*) FROM message"))


def test_a_reply_is_applied_with_its_id_and_audited_under_the_mutation_id(
    hub_server: HubServer,
) -> None:
    reply = mutation(7, "reply", T1001, {"body": "On it", "message_id": "MSG-ANA-1"})
    with hub_server.client("1") as client:
        answer = push(client, "CL-ANA", reply)
    assert answer.json() == {
        "results": [{"seq": 7, "status": "applied", "code": None, "reason": None}],
        "last_seq": 7,
    }
    path = hub_server.store
    assert scalar(path, "SELECT author_agent_id FROM message WHERE id = 'MSG-ANA-1'") == "AG-ANA"
    assert scalar(path, "SELECT mutation_id FROM audit_event WHERE action = 'reply'") == "CL-ANA:7"
    assert scalar(path, "SELECT version FROM audit_event WHERE action = 'reply'") == 2
    assert scalar(path, "SELECT count(*) FROM outbox") == 0
    assert scalar(path, "SELECT last_seq FROM hub_client WHERE client_id = 'CL-ANA'") == 7


def test_a_repeated_push_returns_the_first_results_and_applies_once(
    hub_server: HubServer,
) -> None:
    batch = (
        mutation(1, "reply", T1001, {"body": "First", "message_id": "MSG-1"}),
        mutation(2, "set_status", T1001, {"status": "bogus"}),
        mutation(3, "note", T1001, {"body": "Second", "message_id": "MSG-2"}),
    )
    before = _messages(hub_server)
    with hub_server.client("1") as client:
        first = push(client, "CL-ANA", *batch).json()
        again = push(client, "CL-ANA", *batch).json()
        partly = push(client, "CL-ANA", batch[2], mutation(4, "add_tags", T1001, {"tags": ["x"]}))
    assert again == first
    assert [r["status"] for r in first["results"]] == ["applied", "rejected", "applied"]
    assert first["results"][1]["code"] == "invalid"
    assert "unknown status 'bogus'" in first["results"][1]["reason"]
    assert results(partly) == [("applied", None), ("applied", None)]
    assert _messages(hub_server) == before + 2


def test_refusals_carry_the_desk_s_sentence_and_a_code(hub_server: HubServer) -> None:
    with hub_server.client("1") as client:
        answer = push(
            client,
            "CL-ANA",
            mutation(1, "note", ticket_id(4242), {"body": "x"}),
            mutation(2, "note", T1001, {"body": "x", "restricted": True}),
            mutation(3, "reply", T1001, {"body": "   "}),
            mutation(4, "teleport", T1001, {}),
        )
    assert results(answer) == [
        ("rejected", "not_found"),
        ("rejected", "forbidden"),
        ("rejected", "invalid"),
        ("rejected", "invalid"),
    ]
    reasons = [r["reason"] for r in answer.json()["results"]]
    assert reasons[1].startswith("only tier-3 agents, leads and admins can write restricted notes")
    assert answer.json()["last_seq"] == 4


def test_a_client_registered_to_another_agent_is_refused(hub_server: HubServer) -> None:
    with hub_server.client("1") as ana, hub_server.client("2") as dev:
        assert push(ana, "CL-ANA").status_code == 200
        answer = push(dev, "CL-ANA", mutation(1, "note", T1001, {"body": "mine?"}))
        pull = dev.get("/v1/changes", params={"client_id": "CL-ANA"})
    assert answer.status_code == 403
    assert answer.json()["error"] == "forbidden"
    assert "belongs to another agent" in answer.json()["detail"]
    assert pull.status_code == 403


def test_the_pull_reports_the_client_s_last_judged_seq(hub_server: HubServer) -> None:
    with hub_server.client("1") as client:
        push(client, "CL-ANA", mutation(5, "add_tags", T1001, {"tags": ["a"]}))
        page = client.get("/v1/changes", params={"client_id": "CL-ANA", "limit": 1}).json()
    assert page["last_seq"] == 5


def test_a_stale_change_to_a_field_someone_else_changed_is_a_conflict(
    hub_server: HubServer,
) -> None:
    with hub_server.client("1") as ana:
        ben = ana.__class__(base_url=hub_server.url, timeout=10)
        ben.headers["Authorization"] = f"Bearer {hub_server.mint('ben@support.example.com')}"
        with ben:
            assert results(
                push(
                    ben,
                    "CL-BEN",
                    mutation(1, "set_status", T1001, {"status": "solved"}, base_version=1),
                )
            ) == [("applied", None)]
        answer = push(
            ana,
            "CL-ANA",
            mutation(1, "set_status", T1001, {"status": "pending"}, base_version=1),
            mutation(2, "set_priority", T1001, {"priority": "high"}, base_version=1),
            mutation(3, "add_tags", T1001, {"tags": ["vip"]}, base_version=1),
            mutation(4, "reply", T1001, {"body": "Sorry!"}, base_version=1),
        )
    assert results(answer) == [
        ("rejected", "conflict"),
        ("applied", None),
        ("applied", None),
        ("applied", None),
    ]
    assert answer.json()["results"][0]["reason"] == (
        "Ben Okafor set status to solved after your change was made; it is solved now"
    )
    assert scalar(hub_server.store, "SELECT status FROM ticket WHERE id = ?", T1001) == "solved"


def test_a_client_s_own_earlier_changes_never_conflict_with_it(hub_server: HubServer) -> None:
    with hub_server.client("1") as ana:
        answer = push(
            ana,
            "CL-ANA",
            mutation(1, "set_priority", T1001, {"priority": "high"}, base_version=1),
            mutation(2, "set_priority", T1001, {"priority": "urgent"}, base_version=2),
            mutation(3, "set_status", T1001, {"status": "pending"}, base_version=3),
        )
    assert results(answer) == [("applied", None)] * 3


def test_a_chain_of_offline_edits_is_judged_against_what_the_agent_saw(
    hub_server: HubServer,
) -> None:
    """Ana tags (local v2) then lowers the priority (base 2) while Dev raised it (hub v2)."""
    with hub_server.client("2") as dev:
        assert results(
            push(
                dev,
                "CL-DEV",
                mutation(1, "set_priority", T1001, {"priority": "urgent"}, base_version=1),
            )
        ) == [("applied", None)]
    with hub_server.client("1") as ana:
        answer = push(
            ana,
            "CL-ANA",
            mutation(1, "add_tags", T1001, {"tags": ["refund"]}, base_version=1),
            mutation(2, "set_priority", T1001, {"priority": "low"}, base_version=2),
        )
    assert results(answer) == [("applied", None), ("rejected", "conflict")]
    assert "Dev Patel set priority to urgent" in answer.json()["results"][1]["reason"]


def test_what_is_already_so_counts_as_applied(hub_server: HubServer) -> None:
    with hub_server.client("1") as ana:
        answer = push(
            ana,
            "CL-ANA",
            mutation(1, "add_tags", T1001, {"tags": ["vip"]}),
            mutation(2, "add_tags", T1001, {"tags": ["vip"]}),
            mutation(3, "set_status", T1001, {"status": "open"}),
        )
    assert results(answer) == [("applied", None)] * 3
    assert answer.json()["results"][1]["reason"] == "#1001 already has tag(s) vip"
    assert (
        scalar(hub_server.store, "SELECT count(*) FROM audit_event WHERE action = 'add_tags'") == 1
    )


@pytest.mark.parametrize(
    ("content", "status", "error"),
    [
        (b'{"client_id": "C", "mutations": [', 400, "bad_request"),
        (b'{"client_id": "C\xff", "mutations": []}', 400, "bad_request"),
        (b'{"client_id": "C", "mutations": [{"seq": "one"}]}', 422, "invalid"),
        (b'{"mutations": []}', 422, "invalid"),
        (
            b'{"client_id": "C", "mutations": [' + b'{"x": "' + b"y" * (1 << 20) + b'"}]}',
            413,
            "too_large",
        ),
    ],
    ids=["bad-json", "bad-utf8", "wrong-type", "missing-field", "over-1-MiB"],
)
def test_malformed_or_oversized_pushes_are_refused(
    shared_hub: HubServer, content: bytes, status: int, error: str
) -> None:
    with shared_hub.client("1") as client:
        answer = client.post(
            "/v1/mutations", content=content, headers={"Content-Type": "application/json"}
        )
    assert (answer.status_code, answer.json()["error"]) == (status, error), answer.text


def test_a_batch_over_500_mutations_is_refused(shared_hub: HubServer) -> None:
    batch = [mutation(n, "note", T1001, {"body": "x"}) for n in range(1, 502)]
    with shared_hub.client("1") as client:
        answer = push(client, "CL-BIG", *batch)
    assert answer.status_code == 422
    assert (
        scalar(shared_hub.store, "SELECT count(*) FROM hub_client WHERE client_id = 'CL-BIG'") == 0
    )


def test_a_streamed_body_growing_past_the_limit_is_refused(shared_hub: HubServer) -> None:
    def chunks():  # no Content-Length: sent chunked
        yield b'{"client_id": "C", "mutations": [{"x": "'
        for _ in range(20):
            yield b"y" * 65536

    with shared_hub.client("1") as client:
        answer = client.post(
            "/v1/mutations", content=chunks(), headers={"Content-Type": "application/json"}
        )
    assert (answer.status_code, answer.json()["error"]) == (413, "too_large")


def test_text_that_is_not_unicode_is_refused_and_changes_nothing(hub_server: HubServer) -> None:
    """JSON can escape a lone surrogate; no store can hold it: a refusal, never a 500.

    A NUL character is refused too, on either store (PostgreSQL text cannot hold one).
    """
    notes = [
        mutation(1, "note", T1001, {"body": "bad LONE"}),
        mutation(2, "note", T1001, {"body": "ok"}),
        mutation(3, "note", T1001, {"body": "nul \x00 inside"}),
    ]
    body = json.dumps({"client_id": "CL-ANA", "mutations": notes}).replace("LONE", "\\ud800")
    before = _messages(hub_server)
    headers = {"Content-Type": "application/json"}
    with hub_server.client("1") as client:
        answer = client.post("/v1/mutations", content=body, headers=headers)
        presence = client.post(
            "/v1/presence", content='{"ticket_id": "\\udfff", "state": "viewing"}', headers=headers
        )
    assert results(answer) == [("rejected", "invalid"), ("applied", None), ("rejected", "invalid")]
    assert "not Unicode" in answer.json()["results"][0]["reason"]
    assert "NUL character" in answer.json()["results"][2]["reason"]
    assert _messages(hub_server) == before + 1
    assert presence.status_code == 422, presence.text  # a typed field refuses it too; never a 500
