"""`python -m bench` (make bench): every benchmark, each printing its own table."""

from __future__ import annotations

from bench import search, tui

if __name__ == "__main__":
    raise SystemExit(tui.main() or search.main())
