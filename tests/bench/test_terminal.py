"""Behaviour of the real-terminal driver, checked against the bundled sample app.

These tests assert what happened (rows painted, keys changed the screen, the process is gone),
never how fast: timing thresholds belong in benchmark reports, not in a test suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.report import Metric, render_markdown, render_text
from bench.terminal import (
    KeyTiming,
    TerminalSession,
    measure_keys,
    percentile,
    rows_matching,
    summarize,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_APP = ROOT / "bench" / "_sample_app.py"
ROWS = rows_matching(r"#\d{3,}", 10)


def _gone(pid: int) -> bool:
    """True once the process is reaped: no /proc entry, so no zombie left behind."""
    return not Path(f"/proc/{pid}").exists()


def test_sample_app_in_a_real_terminal() -> None:
    with TerminalSession() as term:
        term.spawn([sys.executable, str(SAMPLE_APP), "1000"], size=(80, 24))
        ready_s = term.wait_until(ROWS)
        assert 0 < ready_s < 20

        term.settle()
        lines = term.screen_text()
        assert len(lines) == 24
        assert any("#1000  Customer  0" in line for line in lines)
        assert lines[-1] == "cursor 0"

        down = term.press(b"j")
        assert down.frame_s is not None and down.first_byte_s is not None
        assert 0 < down.first_byte_s <= down.frame_s
        assert down.n_bytes > 0 and down.changed
        assert term.screen_text()[-1] == "cursor 1"

        term.settle(0.05)
        page = term.press(b"\x1b[6~")  # PageDown, as a terminal encodes it
        assert page.changed

        rss = term.peak_rss_kib()
        pid = term.pid
        assert term.quit(b"q") == 0
    assert rss > 0
    assert _gone(pid)


def test_key_with_no_effect_is_reported_not_timed() -> None:
    with TerminalSession() as term:
        term.spawn([sys.executable, str(SAMPLE_APP), "50"], size=(80, 24))
        term.wait_until(ROWS)
        term.settle()
        silent = term.press(b"x", timeout=0.5)  # Not bound: the app draws nothing.
        assert silent == KeyTiming(b"x", None, None, 0, changed=False)
        stats = summarize([silent, *measure_keys(term, [b"j", b"k"])])
        assert stats.count == 3
        assert stats.no_output == 1
        assert stats.unchanged == 0
        assert stats.p50_ms is not None
        term.quit()


def test_quit_kills_a_program_that_ignores_the_key() -> None:
    script = "import time; print('up', flush=True); time.sleep(60)"
    with TerminalSession(timeout=5) as term:
        term.spawn([sys.executable, "-c", script])
        term.wait_until(rows_matching("^up$"))
        pid = term.pid
        assert term.quit(b"q", timeout=0.5) < 0  # Killed by a signal.
    assert _gone(pid)


def test_close_reaps_a_running_program() -> None:
    with TerminalSession(timeout=5) as term:
        term.spawn([sys.executable, "-c", "import time; time.sleep(60)"])
        pid = term.pid
    assert _gone(pid)


def test_wait_until_is_bounded() -> None:
    script = "import time; print('hello', flush=True); time.sleep(60)"
    with TerminalSession() as term:
        term.spawn([sys.executable, "-c", script])
        with pytest.raises(TimeoutError, match="hello"):
            term.wait_until(rows_matching("never"), timeout=0.5)


def test_wait_until_notices_the_program_exiting() -> None:
    with TerminalSession() as term:
        term.spawn([sys.executable, "-c", "print('bye')"])
        with pytest.raises(EOFError, match="bye"):
            term.wait_until(rows_matching("never"))


def test_peak_rss_sees_through_a_wrapper() -> None:
    child = "b = bytearray(60_000_000); print('big', flush=True); import time; time.sleep(60)"
    with TerminalSession() as term:
        # A shell that is not exec'd away stays the direct child; the app is its descendant.
        term.spawn(["/bin/sh", "-c", f'"{sys.executable}" -c "{child}"; true'])
        term.wait_until(rows_matching("^big$"))
        assert term.peak_rss_kib() >= 58_000


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([3.0], 95) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([10.0, 0.0, 5.0], 100) == 10.0
    assert percentile(list(map(float, range(101))), 95) == 95.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_report_tables() -> None:
    results: dict[str, dict[str, float | None]] = {
        "1k": {"rss": 2048.0, "p95": 12.345},
        "1M": {"rss": 4096.0, "p95": None},
    }
    metrics = [
        Metric("p95", "key→frame p95 (ms)", target="< 50"),
        Metric("rss", "peak RSS (MiB)", scale=1 / 1024),
    ]
    text = render_text(results, metrics, title="bench").splitlines()
    assert text[0] == "bench"
    assert text[1].split(" | ") == ["metric            ", "  1k", " 1M", "target"]
    assert text[3].split() == ["key→frame", "p95", "(ms)", "|", "12.3", "|", "-", "|", "<", "50"]
    assert text[4].split() == ["peak", "RSS", "(MiB)", "|", "2.0", "|", "4.0", "|", "-"]
    markdown = render_markdown(results, metrics).splitlines()
    assert markdown[0] == "| metric | 1k | 1M | target |"
    assert markdown[1] == "| :-- | --: | --: | --: |"
    assert markdown[3] == "| peak RSS (MiB) | 2.0 | 4.0 | - |"
