"""The composer: a public reply or an internal note, clearly marked, never lost.

What the agent types is saved as a draft in the store (debounced, in a worker)
and restored when the composer opens again — after an escape, a crash or a
closed SSH session. ``ctrl+e`` hands the text to ``$EDITOR`` and takes it back.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Static, TextArea

from agentdesk.domain.roles import sees_restricted
from widgets.worker_errors import NotifyWorkerErrors

if TYPE_CHECKING:
    from agentdesk.desk import Applied, Desk
    from screens.macro_picker import StagedMacro

DRAFT_SAVE_DELAY = 0.4
_TITLES = {
    "public": "Public reply to #{number} — the customer will see this",
    "internal": "Internal note on #{number} — only agents see this",
    "restricted": "Restricted note on #{number} — only tier 3, leads and admins see this",
}


class ComposerScreen(ModalScreen["Applied | None"], NotifyWorkerErrors):
    """Write and send one reply or note; dismisses with the applied action, or None."""

    CSS_PATH = "composer.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", priority=True, id="composer.send"),
        Binding("ctrl+e", "edit_externally", "$EDITOR", priority=True, id="composer.editor"),
        Binding("escape", "close", "Close (keep draft)", id="composer.close"),
        Binding("ctrl+t", "toggle_actions", "Macro actions", priority=True, id="composer.actions"),
        Binding(
            "ctrl+r", "toggle_restricted", "Restricted", priority=True, id="composer.restricted"
        ),
    ]

    def __init__(
        self,
        desk: Desk,
        ticket_id: str,
        number: int,
        kind: str,
        *,
        macro: StagedMacro | None = None,
    ) -> None:
        super().__init__(classes=kind)
        #: A macro's reply, whose actions apply only if the reply is sent (ctrl+t drops them).
        self.macro = macro
        self.with_actions = macro is not None
        #: A note only tier 3, leads and admins may read (ctrl+r, for those who may write one).
        self.restricted = False
        self._pristine = ""  # the text as the composer filled it in, before any key
        self._draft_before: str | None = None
        self.desk = desk
        self.ticket_id = ticket_id
        self.number = number
        self.kind = kind
        self._save_timer: Timer | None = None
        self._sending = False
        # Draft saves and the send are serialised, and no save may land after a send:
        # the Desk deletes the draft in the send's transaction, a late save would revive it.
        self._write_lock = threading.Lock()
        self._sent = False

    def compose(self) -> ComposeResult:
        with Vertical(id="composer-box"):
            yield Static(_TITLES[self.kind].format(number=self.number), id="composer-title")
            if self.macro is not None:
                yield Static("", id="composer-staged", markup=False)
            yield TextArea(id="composer-text", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="composer-error", markup=False)
            yield Static(
                "ctrl+s send · ctrl+e $EDITOR · esc close (the draft is kept)",
                id="composer-hint",
                markup=False,
            )

    @property
    def text_area(self) -> TextArea:
        """The editor widget."""
        return self.query_one("#composer-text", TextArea)

    def on_mount(self) -> None:
        self.text_area.focus()
        if self.macro is not None:
            self._fill(self.macro.text)
            self._show_staged()
        self._restore_draft()

    def _fill(self, text: str) -> None:
        self._pristine = text
        self.text_area.load_text(text)
        self.text_area.move_cursor(self.text_area.document.end)

    def _show_staged(self) -> None:
        from screens.macro_picker import on_send_text  # noqa: PLC0415 - only with a macro

        assert self.macro is not None
        if self.with_actions:
            line = f"{on_send_text(self.macro.actions)} · ctrl+t send without"
        else:
            line = "On send: the reply only (the macro's actions are off) · ctrl+t turns them on"
        self.query_one("#composer-staged", Static).update(f"“{self.macro.title}” · {line}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ctrl+t only for a macro's reply with actions; ctrl+r only for notes by cleared agents."""
        if action == "toggle_actions":
            return self.macro is not None and bool(self.macro.actions.describe())
        if action == "toggle_restricted":
            return self.kind == "internal" and sees_restricted(self.desk.agent.tier)
        return True

    def action_toggle_restricted(self) -> None:
        self.restricted = not self.restricted
        title = _TITLES["restricted" if self.restricted else self.kind]
        self.query_one("#composer-title", Static).update(title.format(number=self.number))
        self.set_class(self.restricted, "restricted")

    def action_toggle_actions(self) -> None:
        self.with_actions = not self.with_actions
        self._show_staged()

    @work(thread=True, exclusive=True, group="composer-draft-load")
    def _restore_draft(self) -> None:
        draft = self.desk.load_draft(self.ticket_id, self.kind)
        if draft:
            self.app.call_from_thread(self._show_draft, draft)

    def _show_draft(self, draft: str) -> None:
        """Bring the draft back; a macro's text goes under it (as typed text wins)."""
        if self.text_area.text != self._pristine:
            return  # the agent started typing: what they typed wins
        self._draft_before = draft
        if self._pristine and self._pristine not in draft:
            draft = f"{draft.rstrip()}\n\n{self._pristine}"
        self._fill(draft)

    @on(TextArea.Changed, "#composer-text")
    def _text_changed(self) -> None:
        self.query_one("#composer-error", Static).update("")
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(DRAFT_SAVE_DELAY, self._save_draft_now)

    def _save_draft_now(self) -> None:
        self._save_draft(self.text_area.text)

    @work(thread=True, group="composer-draft-save")
    def _save_draft(self, text: str) -> None:
        with self._write_lock:
            if not self._sent:
                self.desk.save_draft(self.ticket_id, self.kind, text)

    def action_send(self) -> None:
        if not self._sending:
            self._sending = True
            self._send(self.text_area.text)

    @work(thread=True, exclusive=True, group="composer-send", exit_on_error=False)
    def _send(self, text: str) -> None:
        from agentdesk.desk import DeskError  # noqa: PLC0415 - keep the TUI start light

        try:
            with self._write_lock:
                if self.macro is not None:
                    macro, actions = self.macro.macro_id, self.with_actions
                    applied = self.desk.send_macro(
                        self.ticket_id, macro, body=text, with_actions=actions
                    )[0]
                elif self.kind == "public":
                    applied = self.desk.reply(self.ticket_id, text)
                else:
                    applied = self.desk.note(self.ticket_id, text, restricted=self.restricted)
                self._sent = True  # the Desk removed the draft in the same transaction
        except DeskError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self._done, applied)

    def _refused(self, reason: str) -> None:
        self._sending = False
        self.query_one("#composer-error", Static).update(reason)

    def _done(self, applied: Applied) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self.dismiss(applied)

    def action_close(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        text = self.text_area.text
        if self.macro is not None and text == self._pristine:
            text = self._draft_before or ""  # a macro cancelled untouched leaves no draft behind
        self._save_draft(text)
        self.dismiss(None)

    def action_edit_externally(self) -> None:
        """Suspend the app, edit the text in ``$VISUAL``/``$EDITOR``, and take it back."""
        editor = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")
        with tempfile.TemporaryDirectory(prefix="agentdesk-") as scratch:
            path = Path(scratch) / f"ticket-{self.number}-{self.kind}.txt"
            path.write_text(self.text_area.text, encoding="utf-8")
            try:
                with self.app.suspend():
                    subprocess.run([*editor, str(path)], check=False)
            except SuspendNotSupported:
                self.query_one("#composer-error", Static).update(
                    "this terminal cannot hand over to an editor"
                )
                return
            except OSError as exc:
                self.query_one("#composer-error", Static).update(f"cannot run {editor[0]}: {exc}")
                return
            text = path.read_text(encoding="utf-8", errors="replace")
        self.text_area.load_text(text)
        self.text_area.move_cursor(self.text_area.document.end)
        self._save_draft(text)
