"""The `agentdesk` console script: the TUI straight away, or the typer CLI for commands.

Opening the queue is what agents do dozens of times a day, so the bare form
(``agentdesk [--db PATH] [--as EMAIL]``) skips importing typer, which costs about
a tenth of the 0.6 s first-paint budget. Anything else — a command, ``--help``,
an unknown option — goes to the full CLI in ``agentdesk.cli``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

_OPTIONS = {"--db": "db", "--as": "agent"}


def tui_options(argv: Sequence[str]) -> dict[str, str] | None:
    """``{"db": …, "agent": …}`` if ``argv`` only holds TUI options, else ``None``."""
    found: dict[str, str] = {}
    args = list(argv)
    while args:
        arg = args.pop(0)
        name, eq, value = arg.partition("=")
        if name not in _OPTIONS or _OPTIONS[name] in found:
            return None
        if not eq:
            if not args or args[0].startswith("-"):
                return None
            value = args.pop(0)
        if not value:
            return None
        found[_OPTIONS[name]] = value
    return found


def main() -> None:
    """Console-script entry point."""
    options = tui_options(sys.argv[1:])
    if options is None:
        from agentdesk.cli import main as cli_main  # noqa: PLC0415 - only for commands

        cli_main()
        return
    from agentdesk.config import ConfigError, load_settings  # noqa: PLC0415
    from agentdesk.launch import LaunchError, run_tui  # noqa: PLC0415

    db = options.get("db")
    try:
        settings = load_settings().with_overrides(
            db=Path(db) if db else None, agent=options.get("agent")
        )
        run_tui(settings)
    except ConfigError as exc:
        print(f"agentdesk: {exc}", file=sys.stderr)
        sys.exit(2)
    except LaunchError as exc:
        print(f"agentdesk: {exc}", file=sys.stderr)
        sys.exit(exc.code)
    except KeyboardInterrupt:
        sys.exit(130)
