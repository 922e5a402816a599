"""A ticket's incident and merge links: a summary line under the header and a list to open.

The line says what the ticket is part of (an incident, a merge) in words; the
list (in the ticket screen's side column) holds the tickets themselves: the
incident it is linked to, where it was merged, what was merged into it, and, on
an incident, its linked tickets with status, requester and subject. Subjects and
names are customer text: plain ``Text`` with control characters made visible.
"""

from __future__ import annotations

from typing import Final

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from agentdesk.domain.incidents import link_lines
from agentdesk.domain.text import one_line
from storage.incidents import LinkedTicket, TicketLinks
from storage.tickets import TicketSummary

#: The first line of a linked ticket (number, status, requester) fits in this many cells,
#: the side panel's width at 80 columns; the requester's name is cut to make it fit.
FIRST_LINE: Final = 24


def _cut(text: str, width: int) -> str:
    return text if cell_len(text) <= width else set_cell_size(text, width - 1) + "…"


def summary(links: TicketLinks) -> str:
    """The lines of :func:`link_lines`, with where to find the linked tickets."""
    lines = link_lines(links)
    if links.is_incident:
        lines[0] += " (o toggles the list)"
    return "\n".join(lines)


class TicketLinksLine(Static):
    """The summary under the ticket's header; hidden when the ticket has no links."""

    DEFAULT_CSS = """
    TicketLinksLine {
        display: none;
        height: auto;
        padding: 0 1;
        background: $warning 15%;
        &.-shown { display: block; }
    }
    """

    def show(self, links: TicketLinks) -> None:
        """Show the links of the ticket, or hide the line."""
        text = summary(links)
        self.update(Text(text))
        self.set_class(bool(text), "-shown")


def _option(heading: str, ticket: TicketSummary) -> Option:
    return Option(
        Text.assemble(
            (heading, "bold"), (f" · {ticket.status}\n", "dim"), one_line(ticket.subject)
        ),
        id=ticket.id,
    )


def options(links: TicketLinks) -> list[Option]:
    """The tickets to open from here: incident, merge target, merged tickets, linked tickets."""
    found: list[Option] = []
    if links.incident is not None:
        found.append(_option(f"Incident #{links.incident.number}", links.incident))
    if links.merged_into is not None:
        found.append(_option(f"Merged into #{links.merged_into.number}", links.merged_into))
    found += [_option(f"Merged here #{t.number}", t) for t in links.merged_from]
    found += [_linked_option(t) for t in links.linked]
    return found


def _linked_option(ticket: LinkedTicket) -> Option:
    number, status = f"#{ticket.number} ", f"{ticket.status} · "
    room = max(6, FIRST_LINE - cell_len(number + status))
    return Option(
        Text.assemble(
            (number, "bold"),
            (status, "dim"),
            (_cut(one_line(ticket.requester), room), "dim"),
            "\n",
            one_line(ticket.subject),
        ),
        id=ticket.id,
    )


def title(links: TicketLinks) -> str:
    """'Linked tickets (newest 50 of 120, 12 unsolved)' on an incident, else 'Links'."""
    if not links.is_incident:
        return "Links"
    shown = len(links.linked)
    part = f"{shown} of " if shown < links.linked_total else ""
    return f"Linked tickets ({part}{links.linked_total}, {links.linked_unsolved} unsolved)"


class TicketLinksPanel(Vertical):
    """The ticket's links as a list; enter on one opens it. Hidden when there are none."""

    DEFAULT_CSS = """
    TicketLinksPanel {
        display: none;
        height: auto;
        max-height: 60%;
        &.-shown { display: block; }
        #links-title { padding: 0 1; text-style: bold; background: $panel; }
        #links-list { height: auto; max-height: 100%; border: none; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("Links", id="links-title", markup=False)
        yield OptionList(id="links-list")

    def show(self, links: TicketLinks) -> None:
        """List the links of the ticket, or hide the panel."""
        found = options(links)
        self.query_one("#links-title", Static).update(title(links))
        listing = self.query_one("#links-list", OptionList)
        listing.clear_options()
        listing.add_options(found)
        if found:
            listing.highlighted = 0
        self.set_class(bool(found), "-shown")
