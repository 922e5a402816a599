"""Linking tickets to an incident and merging duplicates: the dialogs around the Desk.

Reached from the shared ticket actions (``I`` and ``m`` in the queue and the
ticket screen). Choices are read in a thread worker; the change itself goes
through :meth:`screens.actions.TicketActions.run_desk`, so marked rows change in
one transaction, all or none, and the outcome is notified.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from agentdesk.domain.text import one_line
from screens.actions import TicketActions, TicketRef, _numbers
from screens.confirm import ConfirmScreen
from screens.picker import Choice, PickerScreen
from screens.prompt import PromptScreen
from storage.incidents import (
    TicketLinks,
    link_facts,
    merge_targets,
    open_incidents,
    requester_of,
)

if TYPE_CHECKING:
    from storage.database import Database

#: Choice values that are not ticket ids (ids are ULIDs: never these).
TYPE_NUMBER: Final = "#"
UNLINK: Final = "-"
SOLVED: Final = ("solved", "closed")


def _subject(text: str, width: int = 40) -> str:
    line = one_line(text)
    return line if len(line) <= width else line[: width - 1] + "…"


def _load(host: TicketActions, read: Callable[[Database], Callable[[], None]]) -> None:
    """Run ``read`` in a thread worker; the callable it returns runs on the UI thread."""

    def work() -> None:
        show = read(host.db)
        host.app.call_from_thread(show)

    host.run_worker(work, thread=True, exclusive=True, group="links", exit_on_error=False)


def _ask_number(host: TicketActions, title: str, then: Callable[[str], None]) -> None:
    def typed(text: str | None) -> None:
        if text is not None and text.strip():
            then(text.strip())

    host.app.push_screen(PromptScreen(title, hint="a ticket number, e.g. 1042"), typed)


def _plural(count: int) -> str:
    return "1 ticket" if count == 1 else f"{count} tickets"


def _same(ref: str, target: TicketRef) -> bool:
    return ref in (target.id, str(target.number), f"#{target.number}")


# --------------------------------------------------------------------------- incidents


def link_incident(host: TicketActions) -> None:
    """Link the targets to an incident: the cursor's ticket, an open incident, or a number.

    With marked rows, the ticket under the cursor is offered first (marked or not,
    it is not linked to itself). A single ticket already linked may be unlinked.
    """
    targets = host.targets()
    if not targets:
        return
    cursor = host.cursor_target()
    offer_cursor = cursor is not None and (len(targets) > 1 or cursor.id != targets[0].id)

    def read(db: Database) -> Callable[[], None]:
        with db.read() as conn:
            skip = [t.id for t in targets] + ([cursor.id] if cursor else [])
            incidents = open_incidents(conn, exclude=skip)
            cursor_facts = link_facts(conn, cursor.id) if cursor and offer_cursor else None
            single = link_facts(conn, targets[0].id) if len(targets) == 1 else None
        choices: list[Choice] = []
        if cursor_facts is not None:
            choices.append(
                Choice(
                    cursor_facts.id,
                    f"#{cursor_facts.number} {_subject(cursor_facts.subject)}",
                    "under the cursor",
                )
            )
        choices += [
            Choice(i.id, f"#{i.number} {_subject(i.subject)}", f"{i.linked} linked · {i.status}")
            for i in incidents
        ]
        choices.append(Choice(TYPE_NUMBER, "Another ticket…", "type its number"))
        if single is not None and single.incident_number is not None:
            choices.append(Choice(UNLINK, f"Unlink from incident #{single.incident_number}"))
        return lambda: _pick_incident(host, targets, choices)

    _load(host, read)


def _pick_incident(host: TicketActions, targets: list[TicketRef], choices: list[Choice]) -> None:
    labels = {c.value: c.label.split(" ", 1)[0] for c in choices}

    def chosen(value: str | None) -> None:
        if value is None:
            return
        if value == UNLINK:
            host.run_desk(
                targets, "unlinked from its incident", lambda desk, t: desk.unlink_incident(t)
            )
        elif value == TYPE_NUMBER:
            _ask_number(host, f"Link {_numbers(targets)} to incident", lambda ref: link(ref, ref))
        else:
            link(value, labels[value])

    def link(ref: str, label: str) -> None:
        linked = [t for t in targets if not _same(ref, t)]
        label = label if label.startswith("#") else f"#{label}"
        host.run_desk(
            linked or targets,  # only itself: let the Desk say why not
            f"linked to incident {label}",
            lambda desk, t: desk.link_incident(t, ref),
        )

    title = f"Link {_numbers(targets)} to incident"
    host.app.push_screen(PickerScreen(title, choices, filterable=True), chosen)


# --------------------------------------------------------------------------- merges


def merge(host: TicketActions) -> None:
    """Merge the targets into a ticket of the same requester, after a confirmation.

    The requester's other open tickets are offered first (newest first); any
    number may be typed. The Desk refuses other requesters' tickets.
    """
    sources = host.targets()
    if not sources:
        return

    def read(db: Database) -> Callable[[], None]:
        with db.read() as conn:
            requester = requester_of(conn, sources[0].id)
            found = (
                []
                if requester is None
                else merge_targets(conn, requester, exclude=[s.id for s in sources])
            )
        choices = [Choice(t.id, f"#{t.number} {_subject(t.subject)}", t.status) for t in found]
        choices.append(Choice(TYPE_NUMBER, "Another ticket…", "type its number"))
        return lambda: _pick_target(host, sources, choices)

    _load(host, read)


def _pick_target(host: TicketActions, sources: list[TicketRef], choices: list[Choice]) -> None:
    labels = {c.value: c.label.split(" ", 1)[0] for c in choices}
    named = _numbers(sources)

    def chosen(value: str | None) -> None:
        if value == TYPE_NUMBER:
            _ask_number(host, f"Merge {named} into ticket", lambda ref: confirm(ref, ref))
        elif value is not None:
            confirm(value, labels[value])

    def confirm(ref: str, label: str) -> None:
        label = label if label.startswith("#") else f"#{label}"

        def answered(yes: bool | None) -> None:
            if yes:
                host.run_desk(sources, f"merged into {label}", lambda desk, t: desk.merge(t, ref))

        detail = (
            f"{named} will be closed and point to {label}. Nothing is deleted: {label}'s "
            "thread shows the merged messages, marked with the ticket they came from."
        )
        host.app.push_screen(ConfirmScreen(f"Merge {named} into {label}?", detail), answered)

    title = f"Merge {named} into (same requester)"
    host.app.push_screen(PickerScreen(title, choices, filterable=True), chosen)


# --------------------------------------------------------------------------- solving


def solve_incident(host: TicketActions, status: str, links: TicketLinks) -> None:
    """Reply to the incident's unsolved tickets with one macro and solve them, after a yes.

    The macro is chosen in the macro picker (previewed for the incident). The
    incident gets the reply too unless it is solved already: its requester is
    affected like the others. Everything is one transaction (``Desk.solve_incident``).
    """
    from screens.macro_picker import MacroPickerScreen, StagedMacro  # noqa: PLC0415

    (incident,) = host.targets()
    linked, own = links.linked_unsolved, status not in SOLVED
    if not linked + own:
        host.app.notify(
            f"#{incident.number} and its linked tickets are solved already",
            severity="warning",
            markup=False,
        )
        return
    noun = "linked ticket" if linked == 1 else "linked tickets"
    both = f" and #{incident.number}" if own else ""
    question = (
        f"Reply to {linked} {noun}{both} and solve them?"
        if linked
        else f"Reply to #{incident.number} and solve it?"
    )

    def chosen(staged: StagedMacro | None) -> None:
        if staged is None:
            return
        macro_id, title = staged.macro_id, one_line(staged.title)
        detail = (
            f"Each gets “{title}”, filled in for its own requester, and is solved. "
            "One transaction: all of them or none."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                host.run_desk(
                    [incident],
                    f"{_plural(linked + own)} replied to with “{title}” and solved",
                    lambda desk, t: desk.solve_incident(t, macro_id),
                )

        host.app.push_screen(ConfirmScreen(question, detail), answered)

    host.app.push_screen(MacroPickerScreen(host.desk, incident.id, incident.number), chosen)
