"""Extra workstations of the demo: tmux panes when inside tmux, else commands to run.

Each extra workstation is the ordinary TUI on its own replica (``agentdesk --db``),
so several agents work one queue through the hub, exactly as on a real team. The
panes are the demo's: it closes them when it stops (their hub is gone by then).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

#: Environment a pane needs to behave like the demo's own terminal (tmux gives a new
#: pane the tmux server's environment, not ours).
_PASSED: Final = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "NO_COLOR", "TERM", "COLORTERM")


def workstation_command(replica: Path) -> list[str]:
    """The command that opens a workstation on ``replica``."""
    return [sys.executable, "-m", "agentdesk", "--db", str(replica)]


def in_tmux() -> bool:
    """Whether the demo runs inside tmux (so it can split the window)."""
    return bool(os.environ.get("TMUX"))


def open_panes(replicas: Sequence[Path]) -> list[str]:
    """Split the current tmux window into one pane per replica; returns the pane ids."""
    env = [f"{name}={os.environ[name]}" for name in _PASSED if name in os.environ]
    env += [
        f"{name}={value}" for name, value in os.environ.items() if name.startswith("AGENTDESK_")
    ]
    panes: list[str] = []
    for replica in replicas:
        argv = ["tmux", "split-window", "-d", "-P", "-F", "#{pane_id}"]
        for pair in env:
            argv += ["-e", pair]
        argv.append(shlex.join(workstation_command(replica)))
        done = subprocess.run(argv, capture_output=True, text=True, check=True)
        panes.append(done.stdout.strip())
        subprocess.run(["tmux", "select-layout", "tiled"], capture_output=True, check=False)
    return panes


def close_panes(panes: Sequence[str]) -> None:
    """Close the demo's panes (those already closed are skipped)."""
    for pane in panes:
        subprocess.run(["tmux", "kill-pane", "-t", pane], capture_output=True, check=False)
