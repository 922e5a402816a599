"""The ticket's changes the hub refused, each with its reason, until the agent dismisses them.

A support agent must never believe a reply went out when it did not: the list sits
under the header in the warning colour and says what was refused, when, why, and for
a reply or note that its words are back in the draft. Reasons come from the hub (a
person's name, a status): plain ``Text``, never markup.
"""

from __future__ import annotations

import json

from rich.text import Text
from textual.widgets import Static

from agentdesk.domain import timefmt
from agentdesk.domain.mutation_text import TEXT_OPS, describe
from agentdesk.domain.text import one_line
from storage.rejections import Rejection


def _args(rejection: Rejection) -> dict[str, object]:
    try:
        args = json.loads(rejection.args)
    except ValueError:
        return {}
    return args if isinstance(args, dict) else {}


def rejection_line(rejection: Rejection) -> str:
    """One refused change in words: what, when, why, and where a refused text went."""
    what = describe(rejection.op, _args(rejection))
    when = timefmt.timestamp(rejection.at)[-5:]
    why = one_line(rejection.reason) or rejection.code or "no reason given"
    line = f"✗ Not applied: {what} ({when}) — {why}"
    if rejection.op in TEXT_OPS:
        key = "r" if rejection.op == "reply" else "n"
        line += f"; its text is back in your draft ({key} reopens it)"
    return line


class RejectionList(Static):
    """Refused changes of this ticket; hidden when there are none."""

    DEFAULT_CSS = """
    RejectionList {
        display: none;
        height: auto;
        max-height: 5;
        padding: 0 1;
        background: $error 20%;
        &.-shown { display: block; }
    }
    """

    def show(self, rejections: list[Rejection]) -> None:
        """List the refused changes (newest last), with how to dismiss them."""
        lines = [rejection_line(r) for r in rejections]
        if lines:
            lines.append("x: dismiss (the refusal stays on record)")
        self.update(Text("\n".join(lines)))
        self.set_class(bool(lines), "-shown")
