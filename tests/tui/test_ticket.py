"""The ticket screen: facts, a thread whose kinds are told apart, and literal customer text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from screens.queue import QueueScreen
from screens.ticket import TicketScreen
from tests.factories import HOSTILE_BODY, T0, ticket_id
from tests.tui.conftest import AppFactory
from tests.tui.helpers import screen_text, settle
from widgets.thread_view import MessageCard


def add_thread(path: Path, number: int) -> None:
    """Give ticket ``number`` a public reply and an internal note after its first message."""
    conn = sqlite3.connect(path)
    with conn:
        tid = ticket_id(number)
        conn.executemany(
            "INSERT INTO message (id, ticket_id, kind, author_agent_id, body, created_at)"
            " VALUES (?, ?, ?, 'AG-ANA', ?, ?)",
            [
                (f"R-{number}", tid, "public", "Thanks, try turning it off and on.", T0 + 1),
                (f"N-{number}", tid, "internal", "Checked the logs: 500s at 14:02.", T0 + 2),
            ],
        )
        conn.execute("INSERT INTO ticket_tag VALUES (?, 'billing'), (?, 'vip')", (tid, tid))
    conn.close()


async def open_ticket(pilot: object, downs: int) -> None:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press(*["j"] * downs, "enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


async def test_header_shows_the_tickets_facts(app_factory: AppFactory, store_path: Path) -> None:
    add_thread(store_path, 1000)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_ticket(pilot, 0)
        text = screen_text(app)
        for expected in (
            "#1000 Printer jam number 0",
            "Status new",
            "Priority low",
            "Tier 1",
            "Channel email",
            "Assignee Ana Lima",
            "Zoë Ålander <zoe@acme.example> · enterprise · Acme Corp",
            "Tags billing vip",
        ):
            assert expected in text, expected


async def test_thread_is_oldest_first_and_kinds_are_distinct(
    app_factory: AppFactory, store_path: Path
) -> None:
    add_thread(store_path, 1000)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_ticket(pilot, 0)
        cards = list(app.screen.query(MessageCard))
        assert [card.message.kind for card in cards] == ["customer", "public", "internal"]
        assert [sorted(card.classes) for card in cards] == [["customer"], ["public"], ["internal"]]
        # Each kind is drawn differently (its own border colour), not only labelled.
        borders = {card.styles.border_left[1] for card in cards}
        assert len(borders) == 3
        text = screen_text(app)
        assert "Customer" in text and "Public reply" in text and "Internal note" in text
        assert text.index("Message body 0") < text.index("turning it off") < text.index("500s")


async def test_customer_markup_and_escape_sequences_are_shown_literally(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_ticket(pilot, 2)  # #1002 carries the hostile body, from "[bold]Mallory[/bold]"
        text = screen_text(app)
        assert "[bold red]NOW[/]" in text
        assert "[link=http://evil.example]click[/link]" in text
        assert "␛[2J␛[31mred" in text
        assert "\x1b" not in text
        assert "[bold]Mallory[/bold]" in text
        card = app.screen.query_one(MessageCard)
        assert card.message.body == HOSTILE_BODY


async def test_side_panel_lists_the_requesters_other_tickets(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_ticket(pilot, 0)
        text = screen_text(app)
        # Zoë requested every third ticket: 67 in all, so 66 others.
        assert "Other tickets (newest 20 of 66)" in text
        assert "from Zoë Ålander" in text
        assert "#1003" in text
        await pilot.press("tab")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert "#1003 Login problem 3" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert "#1000 Printer jam number 0" in screen_text(app)


async def test_side_panel_is_hidden_at_80_columns_until_asked_for(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ticket(pilot, 0)
        assert "Other tickets (" not in screen_text(app)
        await pilot.press("o")
        await pilot.pause()
        assert "Other tickets (" in screen_text(app)


async def test_escape_goes_back_to_the_queue(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ticket(pilot, 3)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
