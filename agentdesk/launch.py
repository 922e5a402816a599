"""Starting the TUI: settings checked, workspace opened, app run. Shared by both entry paths."""

from __future__ import annotations

from agentdesk.config import ConfigError, Settings, check_keymap
from storage.errors import StoreError


class LaunchError(Exception):
    """The TUI cannot start; ``code`` is the exit status (1 store/identity, 2 config)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def run_tui(settings: Settings) -> None:
    """Open the workspace and run the app until the agent quits.

    Raises:
        LaunchError: with a one-line reason, before anything is drawn.
    """
    from agentdesk.app import binding_ids, make_app  # noqa: PLC0415 - Textual only when needed
    from agentdesk.workspace import open_workspace  # noqa: PLC0415

    if settings.keymap:
        try:
            check_keymap(settings, binding_ids())
        except ConfigError as exc:
            raise LaunchError(str(exc), 2) from exc
    if settings.db is None:
        settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        workspace = open_workspace(settings)
    except StoreError as exc:
        raise LaunchError(str(exc), 1) from exc
    try:
        make_app(workspace, settings).run()
    finally:
        workspace.close()
