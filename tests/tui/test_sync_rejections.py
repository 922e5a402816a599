"""Changes the hub refused are listed on the ticket with their reason until dismissed."""

from __future__ import annotations

from pathlib import Path

from agentdesk.config import Settings
from agentdesk.desk import Desk
from agentdesk.workspace import open_workspace
from screens.help import binding_rows
from storage.database import Database
from storage.sync import mark_rejected
from tests.factories import ticket_id
from tests.tui.conftest import AppFactory
from tests.tui.helpers import screen_text, settle, wait_for

T1001 = ticket_id(1001)
CONFLICT = "Ben set status to solved after your change was made; it is solved now"


def refuse(store: Path, outcome: list[tuple[str, str]]) -> None:
    """Ana sets #1001 pending and replies; the hub refuses both (as the engine records it)."""
    workspace = open_workspace(Settings(db=store))
    try:
        desk = Desk(workspace.db, workspace.agent)
        desk.set_status(T1001, "pending")
        desk.reply(T1001, "We are looking into it.")
    finally:
        workspace.close()
    db = Database.open(store)
    try:
        with db.transaction() as conn:
            seqs = [row[0] for row in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
            for seq, (code, reason) in zip(seqs, outcome, strict=True):
                mark_rejected(conn, seq, f"{code}: {reason}")
    finally:
        db.close()


def rows(store: Path, sql: str) -> list[tuple[object, ...]]:
    db = Database.open(store)
    try:
        with db.read() as conn:
            return conn.execute(sql).fetchall()
    finally:
        db.close()


async def test_refused_changes_show_their_reason_until_x_dismisses_them(
    app_factory: AppFactory, store_path: Path
) -> None:
    refuse(store_path, [("conflict", CONFLICT), ("forbidden", "#1001 is closed")])
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # #1001 is on top: Ana's changes made it the latest updated
        await wait_for(pilot, lambda: "✗ Not applied" in screen_text(app))
        assert screen_text(app).startswith(" #1001 ")
        text = " ".join(screen_text(app).split())  # lines wrap at 80 columns
        assert f"✗ Not applied: status → pending (20:26) — {CONFLICT}" in text
        assert "✗ Not applied: your reply (20:26) — #1001 is closed; its text is back" in text
        assert "x: dismiss" in text
        # Help (?) lists the key while there is something to dismiss.
        assert ("x", "Dismiss refused") in binding_rows(app.screen)
        await pilot.press("x")
        await settle(pilot)
        await wait_for(pilot, lambda: "Not applied" not in screen_text(app))
    # Nothing is dropped: the rows stay, rejected, with their reason and the moment seen.
    kept = rows(store_path, "SELECT state, error, acknowledged_at IS NOT NULL FROM outbox")
    assert kept == [
        ("rejected", f"conflict: {CONFLICT}", 1),
        ("rejected", "forbidden: #1001 is closed", 1),
    ]


async def test_no_refusal_no_line_and_no_key(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await wait_for(pilot, lambda: "Requester" in screen_text(app))
        await settle(pilot)
        assert "Not applied" not in screen_text(app)
        assert "Dismiss refused" not in [action for _, action in binding_rows(app.screen)]
