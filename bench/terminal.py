"""Drive a program in a real pseudo-terminal and time what a person would see.

Textual's test pilot skips the terminal: no process start-up, no escape-sequence output, no
kernel pty in between. This module spawns the real command in a pty of a given size, records
every output chunk with a timestamp, and only afterwards replays the chunks through ``pyte``
(a VT100 emulator) to decide *when* the screen showed something. Keeping the emulator out of
the read loop means the timestamps are not inflated by our own parsing.

Typical use::

    with TerminalSession() as term:
        term.spawn([sys.executable, "-m", "agentdesk"], size=(80, 24))
        first_rows_s = term.wait_until(rows_matching(r"#\\d{3,}", 10))
        timings = measure_keys(term, [b"j", b"k"] * 100)
        rss_kib = term.peak_rss_kib()
        term.quit(b"q")
    print(summarize(timings))
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import pyte
from pyte.screens import Char

DEFAULT_TIMEOUT = 20.0
"""Seconds any single wait may take before we give up (spawn, ready, key burst, quit)."""

IDLE = 0.03
"""Output silence (s) that ends a burst: longer than one 60 fps frame, short enough to be tight."""

MODERN_TERMINAL_REPLIES: Mapping[bytes, bytes] = {
    # DECRQM for synchronized output (mode 2026): "supported, currently reset", as kitty,
    # WezTerm, iTerm2 or Ghostty answer. Textual then brackets every frame in ?2026h/?2026l;
    # without an answer it never uses sync output. It does not wait for the answer either way.
    b"\x1b[?2026$p": b"\x1b[?2026;2$y",
}
"""Answers to the queries Textual sends at start-up, as a modern terminal would give them."""

Size = tuple[int, int]
"""Terminal size as (columns, lines)."""

Ready = Callable[[list[str]], bool]
"""A predicate on the screen's lines (trailing blanks stripped)."""

_Snapshot = tuple[tuple[Char, ...], ...]


@dataclass(frozen=True)
class KeyTiming:
    """What one key press caused, timed from just before the key was written.

    Attributes:
        key: The bytes written to the terminal.
        first_byte_s: Seconds until the first output byte, or None if nothing came back.
        frame_s: Seconds until the last chunk of the burst (output then idle for ``IDLE``),
            or None if nothing came back. This is the "key to finished frame" latency.
        n_bytes: Output bytes in the burst.
        changed: Whether the emulated screen (text or attributes) differs afterwards.
    """

    key: bytes
    first_byte_s: float | None
    frame_s: float | None
    n_bytes: int
    changed: bool


@dataclass(frozen=True)
class LatencyStats:
    """Summary of many key presses; silent presses are failures, not zero-millisecond frames.

    Attributes:
        count: Presses measured.
        no_output: Presses that produced no output at all within the timeout.
        unchanged: Presses that produced output but left the screen identical.
        p50_ms: Median key-to-frame latency over presses that produced output.
        p95_ms: 95th percentile of the same.
        max_ms: Worst of the same.
        first_byte_p50_ms: Median time to the first output byte.
    """

    count: int
    no_output: int
    unchanged: int
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None
    first_byte_p50_ms: float | None


class TerminalSession:
    """One program running in a pseudo-terminal, with its timestamped output.

    All times are seconds since just before the process was spawned. Every wait is bounded by
    ``timeout`` (per call, overridable). Use as a context manager so the child is always
    reaped, even when an assertion fails half-way.
    """

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT, idle: float = IDLE) -> None:
        self.timeout = timeout
        self.idle = idle
        self._proc: subprocess.Popen[bytes] | None = None
        self._fd = -1
        self._t0 = 0.0
        self._eof = False
        self._chunks: list[tuple[float, bytes]] = []
        self._replies: Mapping[bytes, bytes] = {}
        self._tail = b""
        self._screen = pyte.Screen(80, 24)
        self._stream = pyte.ByteStream(self._screen)
        self._fed = 0
        self._poller = select.poll()

    # -- lifecycle ---------------------------------------------------------------------------

    def spawn(
        self,
        argv: Sequence[str],
        size: Size = (80, 24),
        env: Mapping[str, str] | None = None,
        *,
        cwd: str | Path | None = None,
        replies: Mapping[bytes, bytes] | None = None,
    ) -> None:
        """Start ``argv`` on a fresh pty of ``size`` as the session leader, like a terminal does.

        Args:
            argv: Command to run; exec python directly so ``peak_rss_kib`` sees the app.
            size: (columns, lines) of the terminal.
            env: Extra variables on top of ``os.environ``; TERM, COLORTERM, COLUMNS and LINES
                are preset to a modern 256/true-colour xterm of the given size.
            cwd: Working directory for the child.
            replies: Query -> answer bytes to send back when the query appears in the output
                (see ``MODERN_TERMINAL_REPLIES``); None answers nothing, like a dumb terminal.
        """
        if self._proc is not None:
            raise RuntimeError("this session already ran a process; use a new TerminalSession")
        cols, lines = size
        self._screen = pyte.Screen(cols, lines)
        self._stream = pyte.ByteStream(self._screen)
        self._replies = dict(replies or {})
        child_env = dict(os.environ)
        child_env.update(
            TERM="xterm-256color", COLORTERM="truecolor", COLUMNS=str(cols), LINES=str(lines)
        )
        child_env.update(env or {})

        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, cols, 0, 0))
        self._t0 = time.perf_counter()
        try:
            self._proc = subprocess.Popen(
                list(argv),
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=child_env,
                cwd=cwd,
                start_new_session=True,
                # Make the pty the controlling terminal: the child then gets SIGWINCH/SIGHUP
                # from the kernel and /dev/tty works, as under a real terminal emulator.
                # The hook only makes one ioctl call, so the lock hazard of preexec_fn in a
                # threaded parent does not apply.
                preexec_fn=_take_controlling_tty,  # noqa: PLW1509
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)  # Only the child holds the slave now, so its exit gives us EOF.
        self._fd = master
        self._poller.register(master, select.POLLIN)

    def __enter__(self) -> TerminalSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Terminate the child if it still runs (TERM, then KILL), reap it and free the pty."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, self.timeout)):
                # Safe to signal the group: the leader is not reaped yet, so its id is not reused.
                _killpg(proc.pid, sig)
                try:
                    proc.wait(timeout=grace)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def quit(self, key: bytes = b"q", timeout: float | None = None) -> int:
        """Ask the app to exit with ``key``; kill it if it has not exited within ``timeout``.

        Output is drained meanwhile so the child never blocks writing its goodbye sequences.

        Returns:
            The exit status (negative signal number if it had to be killed).
        """
        proc = self._require_proc()
        deadline = self._now() + (self.timeout if timeout is None else timeout)
        if proc.poll() is None:
            self._write(key)
        while proc.poll() is None:
            remaining = deadline - self._now()
            if remaining <= 0:
                _killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=self.timeout)
                break
            if self._eof:
                time.sleep(min(remaining, 0.01))
            else:
                self._read_once(min(remaining, 0.05))
        while self._now() < deadline and self._read_once(0.05):
            pass  # Drain the goodbye output; bounded, as a grandchild may still hold the pty.
        return proc.wait(timeout=self.timeout)

    # -- measuring ---------------------------------------------------------------------------

    def wait_until(self, ready: Ready, timeout: float | None = None) -> float:
        """Read output until ``ready(screen_lines)`` holds; return when it first held.

        The predicate is only evaluated while the output is idle (or every 0.1 s under constant
        output), replaying new chunks one at a time, so the returned time is the timestamp of
        the exact chunk that completed the picture, not of our check.

        Returns:
            Seconds since spawn at which the chunk that made the predicate true arrived (the
            last chunk's time if it already held on entry).

        Raises:
            TimeoutError: If it never held; the message shows the screen as last seen.
            EOFError: If the program closed the terminal first.
        """
        self._require_proc()
        deadline = self._now() + (self.timeout if timeout is None else timeout)
        if ready(self._lines()):
            return self._chunks[self._fed - 1][0] if self._fed else 0.0
        last_check = self._now()
        while True:
            now = self._now()
            got = not self._eof and self._read_once(min(self.idle, max(deadline - now, 0.0)))
            now = self._now()
            if got and now - last_check < 0.1 and now < deadline:
                continue
            last_check = now
            while self._fed < len(self._chunks):
                self._feed_one()
                if ready(self._lines()):
                    return self._chunks[self._fed - 1][0]
            if self._eof:
                raise EOFError(f"program closed the terminal before ready:\n{self._dump()}")
            if now >= deadline:
                raise TimeoutError(f"not ready after {now:.2f}s; screen:\n{self._dump()}")

    def settle(self, quiet: float = 0.1, timeout: float | None = None) -> float:
        """Read until the output has been silent for ``quiet`` seconds, so the next key is clean.

        Returns:
            The time of the last chunk seen (0.0 if none yet).

        Raises:
            TimeoutError: If the program kept writing for the whole ``timeout``.
        """
        self._require_proc()
        deadline = self._now() + (self.timeout if timeout is None else timeout)
        quiet_from = self._now()
        while not self._eof:
            now = self._now()
            if now - quiet_from >= quiet:
                break
            if now >= deadline:
                raise TimeoutError(f"output never went quiet for {quiet}s")
            if self._read_once(min(quiet - (now - quiet_from), deadline - now)):
                quiet_from = self._now()
        return self._chunks[-1][0] if self._chunks else 0.0

    def press(self, key: bytes, timeout: float | None = None) -> KeyTiming:
        """Write ``key`` and time the burst of output it causes.

        The burst ends at the last chunk before ``idle`` seconds of silence. Call ``settle``
        first so earlier output is not mistaken for this key's frame (``measure_keys`` does).
        The screen comparison happens outside the timed window.
        """
        self._require_proc()
        limit = self.timeout if timeout is None else timeout
        while self._read_once(0.0):  # Anything already queued belongs to the past.
            pass
        before = self._snapshot()
        start = len(self._chunks)
        sent = self._now()
        self._write(key)
        deadline = sent + limit
        last: float | None = None
        while not self._eof:
            until = deadline if last is None else min(last + self.idle, deadline)
            wait = until - self._now()
            if wait <= 0 or not self._read_once(wait):
                if last is not None or self._now() >= deadline or self._eof:
                    break
                continue
            last = self._chunks[-1][0]
        burst = self._chunks[start:]
        return KeyTiming(
            key=key,
            first_byte_s=burst[0][0] - sent if burst else None,
            frame_s=burst[-1][0] - sent if burst else None,
            n_bytes=sum(len(data) for _, data in burst),
            changed=self._snapshot() != before,
        )

    def screen_text(self) -> list[str]:
        """The emulated screen after all output so far, one string per line, right-stripped."""
        self._feed_all()
        return self._lines()

    def peak_rss_kib(self) -> int:
        """Peak resident set (VmHWM, KiB) of the child or its largest descendant.

        Taking the largest process means wrappers (a shell, ``uv run``) do not hide the app.
        Call it before ``quit``: the numbers vanish with the process.
        """
        proc = self._require_proc()
        pids = [proc.pid, *_descendants(proc.pid)]
        return max((_vm_hwm_kib(pid) for pid in pids), default=0)

    # -- introspection -----------------------------------------------------------------------

    @property
    def pid(self) -> int:
        """Process id of the direct child."""
        return self._require_proc().pid

    @property
    def chunks(self) -> Sequence[tuple[float, bytes]]:
        """Every output chunk as (seconds since spawn, bytes), for custom analysis."""
        return self._chunks

    def elapsed(self) -> float:
        """Seconds since spawn."""
        return self._now()

    # -- internals ---------------------------------------------------------------------------

    def _now(self) -> float:
        return time.perf_counter() - self._t0

    def _require_proc(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            raise RuntimeError("spawn() first")
        return self._proc

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]

    def _read_once(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for one chunk; record it with its arrival time."""
        if self._eof or self._fd < 0:
            return False
        if not self._poller.poll(max(timeout, 0.0) * 1000):
            return False
        try:
            data = os.read(self._fd, 65536)
        except OSError as error:  # Linux reports a closed slave side as EIO.
            if error.errno != errno.EIO:
                raise
            data = b""
        now = self._now()
        if not data:
            self._eof = True
            return False
        self._chunks.append((now, data))
        if self._replies:
            window = self._tail + data
            for query, answer in self._replies.items():
                if query in window:
                    self._write(answer)
            self._tail = window[-16:]
        return True

    def _feed_one(self) -> None:
        self._stream.feed(self._chunks[self._fed][1])
        self._fed += 1

    def _feed_all(self) -> None:
        while self._fed < len(self._chunks):
            self._feed_one()

    def _lines(self) -> list[str]:
        return [line.rstrip() for line in self._screen.display]

    def _snapshot(self) -> _Snapshot:
        """Text and attributes of every cell, so a moved highlight counts as a change."""
        self._feed_all()
        screen = self._screen
        return tuple(
            tuple(screen.buffer[y][x] for x in range(screen.columns)) for y in range(screen.lines)
        )

    def _dump(self) -> str:
        return "\n".join(f"|{line}" for line in self._lines())


def rows_matching(pattern: str, count: int = 1) -> Ready:
    """A ``ready`` predicate: at least ``count`` screen lines match the regex ``pattern``."""
    regex = re.compile(pattern)

    def ready(lines: list[str]) -> bool:
        return sum(1 for line in lines if regex.search(line)) >= count

    return ready


def measure_keys(
    term: TerminalSession, keys: Sequence[bytes], *, gap: float = 0.05
) -> list[KeyTiming]:
    """Press each key in turn, waiting for ``gap`` seconds of quiet before each one."""
    timings = []
    for key in keys:
        term.settle(quiet=gap)
        timings.append(term.press(key))
    return timings


def summarize(timings: Sequence[KeyTiming]) -> LatencyStats:
    """Percentiles over presses that produced output; silent presses are counted separately."""
    frames = [t.frame_s * 1000 for t in timings if t.frame_s is not None]
    firsts = [t.first_byte_s * 1000 for t in timings if t.first_byte_s is not None]
    return LatencyStats(
        count=len(timings),
        no_output=sum(1 for t in timings if t.frame_s is None),
        unchanged=sum(1 for t in timings if t.frame_s is not None and not t.changed),
        p50_ms=percentile(frames, 50) if frames else None,
        p95_ms=percentile(frames, 95) if frames else None,
        max_ms=max(frames) if frames else None,
        first_byte_p50_ms=percentile(firsts, 50) if firsts else None,
    )


def measure_app(
    argv: Sequence[str],
    *,
    ready: Ready,
    keys: Sequence[bytes],
    size: Size = (80, 24),
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    replies: Mapping[bytes, bytes] | None = None,
    quit_key: bytes = b"q",
    gap: float = 0.05,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, float | None]:
    """One full run: start-up to ``ready``, the key presses, peak RSS, then quit.

    Returns:
        Flat figures keyed "first_rows_s", "first_key_ms", "key_p50_ms", "key_p95_ms",
        "key_max_ms", "first_byte_p50_ms", "no_output", "unchanged", "rss_kib", "exit_code",
        ready to hand to ``bench.report``. "first_key_ms" is the first press on its own: an app
        that paints rows and then keeps working looks ready but is not, and a person notices.
    """
    with TerminalSession(timeout=timeout) as term:
        term.spawn(argv, size, env, cwd=cwd, replies=replies)
        first_rows = term.wait_until(ready)
        timings = measure_keys(term, keys, gap=gap)
        stats = summarize(timings)
        rss = term.peak_rss_kib()
        code = term.quit(quit_key)
    first_key = timings[0].frame_s if timings else None
    return {
        "first_rows_s": first_rows,
        "first_key_ms": None if first_key is None else first_key * 1000,
        "key_p50_ms": stats.p50_ms,
        "key_p95_ms": stats.p95_ms,
        "key_max_ms": stats.max_ms,
        "first_byte_p50_ms": stats.first_byte_p50_ms,
        "no_output": stats.no_output,
        "unchanged": stats.unchanged,
        "rss_kib": rss,
        "exit_code": code,
    }


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0-100) with linear interpolation, like numpy's default.

    Raises:
        ValueError: For no values or ``p`` outside 0-100.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} outside 0-100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _take_controlling_tty() -> None:
    """Runs in the child after setsid(): adopt stdin (the pty slave) as controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _killpg(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _vm_hwm_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmHWM:\s+(\d+)\s+kB", status, re.MULTILINE)
    return int(match.group(1)) if match else 0


def _descendants(root: int) -> list[int]:
    """All live descendants of ``root``, found by walking parent ids in /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    todo = [root]
    while todo:
        kids = children.get(todo.pop(), [])
        found.extend(kids)
        todo.extend(kids)
    return found
