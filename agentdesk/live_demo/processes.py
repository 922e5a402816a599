"""Child processes of the live demo (the hub, the traffic simulator), never left behind.

Each child gets its own session (a Ctrl-C meant for the demo is handled by the demo,
which then stops its children in order) and, on Linux, a parent-death signal, so even
a demo killed with SIGKILL takes its hub and simulator with it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

#: How long a child gets to stop after SIGTERM before it is killed.
STOP_SECONDS: Final = 3.0
_PR_SET_PDEATHSIG: Final = 1


class ChildFailed(RuntimeError):
    """A child process did not start; the message ends with the tail of its log."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    libc_name = ctypes.util.find_library("c")
    if sys.platform.startswith("linux") and libc_name:
        ctypes.CDLL(libc_name, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    """A running child process and the log file its output goes to."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes]

    @classmethod
    def start(cls, name: str, argv: Sequence[str], log_path: Path) -> Child:
        """Start ``argv`` with stdout and stderr appended to ``log_path``."""
        log = log_path.open("ab")
        try:
            process = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - single-threaded at this point
            )
        except BaseException:
            log.close()
            raise
        return cls(name, process, log_path, log)

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.poll() is None

    def log_tail(self, lines: int = 5) -> str:
        """The last lines the child wrote, for an error message."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> None:
        """Poll ``ready`` until it holds.

        Raises:
            ChildFailed: the child exited, or ``timeout`` seconds passed.
        """
        deadline = time.monotonic() + timeout
        while not ready():
            if not self.alive():
                raise ChildFailed(f"the {self.name} exited ({self.process.returncode}):\n"
                                  f"{self.log_tail()}")  # fmt: skip
            if time.monotonic() > deadline:
                raise ChildFailed(f"the {self.name} did not start in {timeout:.0f} s:\n"
                                  f"{self.log_tail()}")  # fmt: skip
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after :data:`STOP_SECONDS`; always reaps the process."""
        try:
            if self.alive():
                self.process.terminate()
                try:
                    self.process.wait(STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        finally:
            with contextlib.suppress(OSError):
                self._log.close()
