"""The ticket's facts at a glance: subject, state, people, channel and tags."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from agentdesk.domain.text import one_line
from agentdesk.domain.timefmt import timestamp
from storage.tickets import TicketDetail


def _field(label: str, value: str, style: str = "") -> Text:
    return Text.assemble((f"{label} ", "dim"), (value, style))


class TicketHeader(Static):
    """Subject on top, then a wrapped line of fields. Customer text stays plain."""

    DEFAULT_CSS = """
    TicketHeader {
        padding: 0 1;
        background: $panel;
        border-bottom: solid $primary;
    }
    """

    def show(self, ticket: TicketDetail, *, sla: Text | None = None) -> None:
        """Render ``ticket``'s fields, one line per concern so narrow terminals wrap cleanly;
        ``sla`` is the SLA line (policy and targets), last, when a policy applies."""
        gap = Text("  ")
        org = f" · {one_line(ticket.requester_org)}" if ticket.requester_org else ""
        lines = [
            Text(f"#{ticket.number} {one_line(ticket.subject)}", "bold"),
            gap.join(
                [
                    _field("Status", ticket.status, "bold"),
                    _field("Priority", ticket.priority, _PRIORITY_STYLES.get(ticket.priority, "")),
                    _field("Tier", str(ticket.tier)),
                    _field("Channel", ticket.channel),
                ]
            ),
            gap.join(
                [
                    _field("Assignee", ticket.assignee_name or "unassigned"),
                    _field("Group", ticket.group_name or "—"),
                ]
            ),
            _field(
                "Requester",
                f"{one_line(ticket.requester_name)} <{one_line(ticket.requester_email)}> "
                f"· {ticket.requester_plan}{org}",
            ),
            gap.join(
                [
                    _field("Tags", " ".join(one_line(tag) for tag in ticket.tags) or "—"),
                    _field("Created", timestamp(ticket.created_at)),
                ]
            ),
        ]
        if sla is not None:
            lines.append(sla)
        self.update(Text("\n").join(lines))


_PRIORITY_STYLES = {"urgent": "bold red", "high": "yellow", "low": "dim"}
