"""`python -m bench` (make bench): every benchmark, each printing its own table."""

from __future__ import annotations

from bench import dashboard, macros, search, sla_clock, sla_store, sync, tui

if __name__ == "__main__":
    raise SystemExit(
        tui.main()
        or search.main()
        or macros.main()
        or dashboard.main()
        or sla_store.main()
        or sla_clock.main()
        or sync.main()
    )
