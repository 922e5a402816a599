"""Waiting for the app the way a person does: until the screen shows what they expect."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot

from agentdesk.app import AgentDeskApp


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and the screen repaint."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Pause until ``condition()`` holds, failing the test after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)


def screen_text(app: AgentDeskApp) -> str:
    """What a person would read on the terminal right now."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def notices(messages: list[Message]) -> list[str]:
    """The text of every notification posted, from a ``run_test(message_hook=…)`` list."""
    return [
        f"{m.notification.title}: {m.notification.message}"
        for m in messages
        if isinstance(m, Notify)
    ]
