"""The team lead's dashboard: the live backlog, who holds what, the last 14 days, spikes.

Every panel is read by its own thread worker and painted the moment it arrives, so
the live backlog shows while the 14-day trends are still being counted, and keys
never wait on SQLite. The figures are the report's (:mod:`agentdesk.reports`); the
live ones reload when the store changes (at most every few seconds), everything every
minute and on ``r``. A spike (a tag or channel far above its usual hourly volume,
:mod:`agentdesk.domain.spikes`) opens its tickets in the queue (``f``) or links them
to an incident (``I``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar, Final, Protocol, cast

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from agentdesk import reports
from agentdesk.domain import metrics, timefmt
from agentdesk.domain.metrics import DAY_MS, HOUR_MS, FrtClock
from agentdesk.domain.spikes import Spike, detect_spikes
from agentdesk.domain.text import one_line
from agentdesk.domain.workload import totals, unassigned, workload
from screens.actions import TicketActions, TicketRef
from screens.events import StoreChanged
from storage.agents import AgentRow
from storage.database import Database
from storage.metrics import SLA_TARGETS, Buckets, SlaStats, hourly_volume
from storage.migrations import UNSOLVED_STATUSES
from storage.queue import CHANNELS, PRIORITIES, TIERS
from widgets.metric_line import MetricLine
from widgets.worker_errors import NotifyWorkerErrors

#: The trends' span, in days, and the hourly chart's, in hours (a week is the spikes'
#: baseline).
TREND_DAYS: Final = 14
HOURLY_SHOWN: Final = 48
BASELINE_HOURS: Final = 7 * 24
REFRESH_SECONDS: Final = 60.0
#: The live panels reload on a store change at most this often.
LIVE_MIN_SECONDS: Final = 5.0
#: At most this many of a spike's tickets are linked to an incident at once.
SPIKE_LINK_LIMIT: Final = 1000

TRENDS: Final = (
    ("frt", "FRT median"),
    ("fcr", "FCR"),
    ("aht", "AHT"),
    ("csat", "CSAT"),
    ("nps", "NPS"),
    ("sla", "SLA met"),
    ("created", "Created"),
    ("backlog", "Backlog"),
)


class QueueOwner(Protocol):
    """The app, as far as the dashboard is concerned: it shows the queue, or a search in it."""

    def show_queue(self) -> object:
        """Go to the queue."""
        ...

    def show_search(self, text: str) -> None:
        """Go to the queue and search ``text`` there."""
        ...


class SpikeTickets(Widget, TicketActions):
    """The tickets behind a spike as the incident dialogs' host (never shown: see the tcss)."""

    def __init__(self, db: Database, agent: AgentRow) -> None:
        super().__init__()
        self.db = db
        self.agent = agent
        self.refs: list[TicketRef] = []

    def targets(self) -> list[TicketRef]:
        """The spike's tickets, read when the action was asked for."""
        return list(self.refs)

    def cursor_target(self) -> TicketRef | None:
        """No cursor: every ticket of the spike is a target."""
        return None


class DashboardScreen(Screen[None], NotifyWorkerErrors):
    """What a team lead watches: is the desk keeping up, and is something happening?"""

    CSS_PATH = "dashboard.tcss"
    AUTO_FOCUS = "#dash-body"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    HELP: ClassVar[str] = (
        "SLA attainment today and over 7 days; the last 14 days of FRT, FCR, AHT, CSAT, NPS, "
        "SLA, volume and backlog, a bar per day (definitions: README, Reports); the live "
        "backlog by status and priority, tier and channel; each agent's open, oldest and "
        "breaching tickets. A spike is a tag or channel far above its usual hourly volume: "
        "f opens its tickets in the queue, I links them to an incident. r refreshes now; "
        "escape (or L) goes to the queue."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Queue", id="dashboard.back"),
        Binding("r", "reload", "Refresh", id="dashboard.refresh"),
        Binding("f", "open_spike", "Spike tickets", id="dashboard.open_spike"),
        Binding("I", "link_spike", "Incident…", id="dashboard.link_spike"),
        Binding("j", "scroll(1)", "Down", show=False, id="dashboard.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="dashboard.up"),
    ]

    def __init__(
        self,
        db: Database,
        agent: AgentRow,
        *,
        frt_clock: FrtClock = FrtClock.WALL,
        first_live: reports.Live | None = None,
    ) -> None:
        """``first_live``: the live panels read before the event loop started (the app does
        it for a lead's first screen), so the first frame already has numbers; the workers
        read them again at once, with who is breaching."""
        super().__init__()
        self.db = db
        self.agent = agent
        self.frt_clock = frt_clock
        self.spikes: list[Spike] = []
        self._first_live = first_live
        self._live_at = 0.0

    def compose(self) -> ComposeResult:
        with Horizontal(id="dash-bar"):
            yield Static("Dashboard", id="dash-title", markup=False)
            yield Static("loading…", id="dash-updated", markup=False)
            tier = self.agent.tier if not self.agent.tier.isdigit() else f"tier {self.agent.tier}"
            yield Static(f"{self.agent.name} · {tier}", id="dash-agent", markup=False)
        with VerticalScroll(id="dash-body"):
            with Vertical(id="dash-spikes", classes="dash-panel"):
                yield Static(
                    "Spikes: checking the last hour…", id="dash-spikes-title", markup=False
                )
                yield OptionList(id="dash-spike-list")
            with Vertical(id="dash-sla", classes="dash-panel"):
                yield Static("SLA attainment: counting…", id="dash-sla-title", markup=False)
                yield Static("", id="dash-sla-targets", markup=False)
            with Vertical(id="dash-trends", classes="dash-panel"):
                yield Static(f"Last {TREND_DAYS} days", classes="dash-heading")
                for key, label in TRENDS:
                    yield MetricLine(label, id=f"metric-{key}")
            with Vertical(id="dash-backlog", classes="dash-panel"):
                yield Static("Backlog now", id="dash-backlog-title", classes="dash-heading")
                yield Static("", id="dash-matrix")
                yield Static("", id="dash-tiers", markup=False)
                yield Static("", id="dash-channels", markup=False)
            with Vertical(id="dash-hourly", classes="dash-panel"):
                yield Static(f"Tickets per hour, last {HOURLY_SHOWN} h", classes="dash-heading")
                yield Sparkline([], id="dash-hourly-chart")
                yield Static("", id="dash-hourly-note", markup=False)
            with Vertical(id="dash-agents", classes="dash-panel"):
                yield Static("Workload: open tickets per agent", classes="dash-heading")
                yield Static("", id="dash-workload")
        yield SpikeTickets(self.db, self.agent)
        yield Footer()

    def on_mount(self) -> None:
        if self._first_live is not None:
            self._show_live(self._first_live)
            self._first_live = None
            # The workers start once that first frame is out: their Python work would
            # otherwise share the interpreter with it.
            self.call_after_refresh(self.action_reload)
        else:
            self.action_reload()
        self.set_interval(REFRESH_SECONDS, self.action_reload)

    # -- loading -----------------------------------------------------------------------

    def action_reload(self) -> None:
        """Read every panel again: the live ones first, they are the quickest."""
        self._load_live()
        self._load_hourly()
        self._load_trends()

    def on_store_changed(self, _: StoreChanged) -> None:
        if time.monotonic() - self._live_at >= LIVE_MIN_SECONDS:
            self._load_live()

    def _paint(self, paint: Callable[[], None]) -> None:
        """Run ``paint`` on the UI thread (from a worker), unless the screen is gone."""
        self.app.call_from_thread(lambda: paint() if self.is_mounted else None)

    @work(thread=True, exclusive=True, group="dash-live", exit_on_error=False)
    def _load_live(self) -> None:
        self._live_at = time.monotonic()
        with self.db.read() as conn:
            live = reports.live(conn, timefmt.now_ms())
        self._paint(lambda: self._show_live(live))

    @work(thread=True, exclusive=True, group="dash-hourly", exit_on_error=False)
    def _load_hourly(self) -> None:
        now = timefmt.now_ms()
        with self.db.read() as conn:
            series = hourly_volume(conn, Buckets(now, HOUR_MS, BASELINE_HOURS + 1))
        hourly = [0] * (BASELINE_HOURS + 1)
        for (kind, _), counts in series.items():
            if kind == "channel":  # every ticket has exactly one channel
                hourly = [a + b for a, b in zip(hourly, counts, strict=True)]
        spikes = detect_spikes(series)
        self._paint(lambda: self._show_hourly(hourly, spikes))

    @work(thread=True, exclusive=True, group="dash-trends", exit_on_error=False)
    def _load_trends(self) -> None:
        """Each family painted as soon as it is counted (FRT first: leads look there)."""
        now = timefmt.now_ms()
        days = Buckets(now, DAY_MS, TREND_DAYS)
        with self.db.read() as conn:
            frt = reports.frt(conn, days, self.frt_clock)
        self._paint(lambda: self._show_frt(frt))
        today = Buckets(now, max(1, now - metrics.local_midnight(now)))
        with self.db.read() as conn:
            sla = reports.sla(conn, days, now), reports.sla(conn, today, now)
        self._paint(lambda: self._show_sla(*sla))
        with self.db.read() as conn:
            solved = reports.solved(conn, days)
        self._paint(lambda: self._show_solved(solved))
        with self.db.read() as conn:
            surveys = reports.survey(conn, days, "csat"), reports.survey(conn, days, "nps")
        self._paint(lambda: self._show_surveys(*surveys))
        with self.db.read() as conn:
            volume = reports.volume(conn, days)
        self._paint(lambda: self._show_volume(volume))

    # -- painting ----------------------------------------------------------------------

    def _show_live(self, live: reports.Live) -> None:
        cells, agents = live.cells, live.agents
        total = sum(c.count for c in cells)
        self.query_one("#dash-backlog-title", Static).update(
            f"Backlog now: {total:,} unsolved · {unassigned(cells):,} unassigned"
        )
        by_cell = totals(cells, lambda c: (c.status, c.priority))
        by_status = totals(cells, lambda c: c.status)
        by_priority = totals(cells, lambda c: c.priority)
        matrix = _table("", *PRIORITIES, "total")
        for status in UNSOLVED_STATUSES:
            counts = [by_cell.get((status, p), 0) for p in PRIORITIES]
            matrix.add_row(status, *_counts(counts), f"{by_status.get(status, 0):,}")
        matrix.add_row("total", *_counts(by_priority.get(p, 0) for p in PRIORITIES), f"{total:,}")
        self.query_one("#dash-matrix", Static).update(matrix)
        tiers = totals(cells, lambda c: c.tier)
        channels = totals(cells, lambda c: c.channel)
        self.query_one("#dash-tiers", Static).update(
            "By tier    " + "  ".join(f"{t}: {tiers.get(t, 0):,}" for t in TIERS)
        )
        self.query_one("#dash-channels", Static).update(
            "By channel " + "  ".join(f"{c} {channels.get(c, 0):,}" for c in CHANNELS)
        )
        table = _table("Agent", "Open", "Oldest", "Breaching")
        now = timefmt.now_ms()
        for load in workload(cells):
            name = one_line(agents.get(load.agent_id, load.agent_id))
            late = live.breaching.get(load.agent_id, 0)
            table.add_row(
                Text(name),  # a name is text, never markup
                f"{load.open:,}",
                timefmt.ago(load.oldest_created_at, now),
                f"{late:,}" if late else "·",
            )
        nobody = [c for c in cells if c.assignee_id is None]
        if nobody:
            oldest = min(c.oldest_created_at for c in nobody)
            table.add_row("(unassigned)", f"{unassigned(nobody):,}", timefmt.ago(oldest, now), "")
        self.query_one("#dash-workload", Static).update(table)
        self.query_one("#dash-updated", Static).update(
            f"updated {timefmt.timestamp(now)[-5:]} · r refreshes"
        )

    def _show_hourly(self, hourly: list[int], spikes: list[Spike]) -> None:
        self.query_one("#dash-hourly-chart", Sparkline).data = hourly[-HOURLY_SHOWN:]
        usual = sum(hourly[:-1]) / max(1, len(hourly) - 1)
        self.query_one("#dash-hourly-note", Static).update(
            f"last hour {hourly[-1]:,} · usual {usual:,.1f}/h over the week before"
        )
        had_spikes, self.spikes = bool(self.spikes), spikes
        listing = self.query_one("#dash-spike-list", OptionList)
        listing.clear_options()
        title = self.query_one("#dash-spikes-title", Static)
        listing.set_class(bool(spikes), "-shown")
        if not spikes:
            title.update("No spikes: every tag and channel is near its usual hourly volume")
        else:
            title.update(
                f"⚠ {len(spikes)} spike{'s' if len(spikes) > 1 else ''} in the last hour"
                " · f: its tickets · I: link them to an incident"
            )
            listing.add_options(
                Option(
                    Text(f"{s.label}: {s.count} tickets (usual {s.baseline:.1f}/h, z {s.z:.0f})"),
                    id=str(n),
                )
                for n, s in enumerate(spikes)
            )
            listing.highlighted = 0
        if had_spikes != bool(spikes):
            self.refresh_bindings()  # the footer offers the spike keys only when there is one

    def _show_frt(self, frt: reports.Frt) -> None:
        total = frt.total
        clock = " (business)" if frt.clock is FrtClock.BUSINESS else ""
        self._metric(
            "frt",
            metrics.duration_text(total.median_ms),
            [d.median_ms for d in frt.per_bucket],
            f"p90 {metrics.duration_text(total.p90_ms)} · {total.count:,} answered{clock}",
        )

    def _show_solved(self, solved: reports.Solved) -> None:
        total = solved.total
        self._metric(
            "fcr",
            metrics.percent_text(reports.Solved.fcr(total)),
            [reports.Solved.fcr(s) for s in solved.per_bucket],
            f"of {total.solved:,} solved",
        )
        self._metric(
            "aht",
            metrics.duration_text(reports.Solved.aht(total)),
            [reports.Solved.aht(s) for s in solved.per_bucket],
            f"{total.handled:,} of {total.solved:,} solved timed",
        )

    def _show_surveys(self, csat: reports.Survey, nps: reports.Survey) -> None:
        for survey, text in ((csat, metrics.percent_text), (nps, metrics.score_text)):
            self._metric(
                survey.kind,
                text(survey.score(survey.total)),
                [survey.score(s) for s in survey.per_bucket],
                f"{survey.total.answers:,} answers",
            )

    def _show_sla(self, days: reports.Sla, today: reports.Sla) -> None:
        """Today (since local midnight) and the last 7 days, per target; a bar per day."""
        week = days.last(7)

        def text(stats: SlaStats) -> str:
            measured = stats.ended + stats.overdue
            return f"{metrics.percent_text(reports.Sla.attainment(stats))} of {measured:,}"

        self.query_one("#dash-sla-title", Static).update(
            f"SLA attainment  today {text(today.total())} · 7 days {text(week.total())}"
        )
        self.query_one("#dash-sla-targets", Static).update(
            "7 days: "
            + " · ".join(
                f"{target.replace('_', ' ')} "
                f"{metrics.percent_text(reports.Sla.attainment(week.total(target)))}"
                for target in SLA_TARGETS
            )
        )
        total = days.total()
        self._metric(
            "sla",
            metrics.percent_text(reports.Sla.attainment(total)),
            [reports.Sla.attainment(s) for s in days.per_bucket],
            f"{total.ended + total.overdue:,} targets, {total.overdue:,} open past due",
        )

    def _show_volume(self, volume: reports.Volume) -> None:
        per_day = volume.total_created / TREND_DAYS
        self._metric(
            "created", f"{volume.total_created:,}", list(volume.created), f"~{per_day:,.0f}/day"
        )
        self._metric(
            "backlog",
            f"{volume.backlog[-1]:,}",
            list(volume.backlog),
            f"{volume.backlog_start:,} {TREND_DAYS} days ago",
        )

    def _metric(self, key: str, value: str, series: Sequence[float | None], note: str) -> None:
        self.query_one(f"#metric-{key}", MetricLine).show(value, series, note)

    # -- actions -----------------------------------------------------------------------

    def action_back(self) -> None:
        cast(QueueOwner, self.app).show_queue()

    def action_scroll(self, lines: int) -> None:
        self.query_one("#dash-body", VerticalScroll).scroll_relative(y=lines, animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The spike actions need a spike (and linking needs incidents to exist)."""
        if action in ("open_spike", "link_spike"):
            return bool(self.spikes)
        return True

    def _spike(self) -> Spike | None:
        if not self.spikes:
            return None
        highlighted = self.query_one("#dash-spike-list", OptionList).highlighted or 0
        return self.spikes[min(highlighted, len(self.spikes) - 1)]

    def action_open_spike(self) -> None:
        spike = self._spike()
        if spike is not None:
            cast(QueueOwner, self.app).show_search(spike.query())

    @on(OptionList.OptionSelected, "#dash-spike-list")
    def _spike_chosen(self) -> None:
        self.action_open_spike()

    def action_link_spike(self) -> None:
        spike = self._spike()
        if spike is not None:
            self._read_spike_tickets(spike)

    @work(thread=True, exclusive=True, group="dash-spike", exit_on_error=False)
    def _read_spike_tickets(self, spike: Spike) -> None:
        from agentdesk.domain.query import compile_query  # noqa: PLC0415 - loaded when used
        from storage.queue import fetch_window  # noqa: PLC0415

        query = compile_query(spike.query(), self.agent)
        with self.db.read() as conn:
            rows = fetch_window(conn, query, 0, SPIKE_LINK_LIMIT)
        refs = [TicketRef(row.id, row.number) for row in rows]
        self._paint(lambda: self._link(refs))

    def _link(self, refs: list[TicketRef]) -> None:
        from screens.links import link_incident  # noqa: PLC0415 - loaded when first used

        host = self.query_one(SpikeTickets)
        host.refs = refs
        link_incident(host)


def _table(first: str, *numbers: str) -> Table:
    """A borderless table: a text column, then columns of figures (right-aligned)."""
    table = Table(box=None, pad_edge=False, header_style="bold", padding=(0, 2, 0, 0))
    table.add_column(first, no_wrap=True)
    for header in numbers:
        table.add_column(header, justify="right", no_wrap=True)
    return table


def _counts(values: Iterable[int]) -> list[str]:
    """Counts for the backlog table; a zero is a dot, so the busy cells stand out."""
    return [f"{v:,}" if v else "·" for v in values]
