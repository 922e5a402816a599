"""`agentdesk report` on the hand-made metrics store: every format, and every usage mistake.

In-process (typer's runner): the tests' clock is fixed at T0, so ``--since 7d`` is
exactly the fixture's week and the figures are the known answers.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentdesk.cli import app
from tests import metrics_fixture as fx


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fx.make(tmp_path_factory.mktemp("report") / "metrics.db")


def run(store: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["report", "--db", str(store), *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_has_every_figure_with_its_unit(store: Path) -> None:
    code, out, _ = run(store, "--since", "7d", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    figures = payload["metrics"]
    assert (figures["created"], figures["solved"]) == (6, 4)
    assert (figures["backlog_start"], figures["backlog_end"]) == (2, 3)
    assert (figures["frt_median_ms"], figures["frt_tickets"]) == (fx.HOUR, 4)
    assert (figures["fcr_percent"], figures["aht_ms"]) == (50.0, 20 * fx.MINUTE)
    assert (figures["csat_percent"], figures["nps"]) == (50.0, 40.0)
    assert payload["units"]["aht_ms"] == "ms"
    assert payload["group"] is None
    assert payload["frt_clock"] == "wall"
    assert payload["period"]["since"].startswith("2026-05-21T20:26:40")


def test_csv_is_one_figure_per_line(store: Path) -> None:
    code, out, _ = run(store, "--since", "7d", "-f", "csv")
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    by_key = {row["metric"]: row for row in table}
    assert by_key["fcr_percent"]["value"] == "50.0"
    assert by_key["fcr_percent"]["unit"] == "%"
    assert by_key["frt_p90_ms"]["value"] == str(4 * fx.HOUR)
    assert by_key["nps"]["label"] == "NPS"


def test_csv_leaves_unmeasured_figures_empty(store: Path) -> None:
    code, out, _ = run(store, "--since", "2020-01-01", "--until", "2020-01-31", "-f", "csv")
    assert code == 0
    by_key = {row["metric"]: row["value"] for row in csv.DictReader(io.StringIO(out))}
    assert by_key["created"] == "0"
    assert by_key["csat_percent"] == ""


def test_markdown_table(store: Path) -> None:
    code, out, _ = run(store, "--since", "7d", "-f", "md", "--group", "frontline")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("**") and "group Frontline" in lines[0]
    assert "| metric | value |" in lines
    assert "| FCR | 50.0% |" in lines
    assert "| AHT | 15m |" in lines  # Frontline: (10m + 20m) / 2


def test_table_for_people(store: Path) -> None:
    code, out, _ = run(store, "--since", "7d")
    assert code == 0
    assert "2026-05-21 20:26 → 2026-05-28 20:26 · all groups" in out
    lines = {" ".join(line.split()) for line in out.splitlines()}
    assert "FRT median (wall clock) 1h 00m" in lines
    assert "CSAT 50.0%" in lines
    assert "NPS +40" in lines


def test_business_hours_are_named(store: Path) -> None:
    code, out, _ = run(store, "--since", "7d", "--frt", "business", "-f", "json")
    assert code == 0
    assert json.loads(out)["frt_clock"] == "business"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--since", "last week"), "bad time 'last week'"),
        (("--since", "1d", "--until", "3d"), "the period is empty"),
        (("--format", "xml"), "unknown format 'xml'; use one of: table, json, csv, md"),
        (("--group", "Nope"), "no group 'Nope'; groups: Frontline"),
        (("--frt", "office"), "unknown FRT clock 'office'"),
    ],
)
def test_usage_mistakes_exit_2_with_one_line(store: Path, args: tuple[str, ...], says: str) -> None:
    code, out, err = run(store, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("agentdesk: ")
    assert says in err
    assert len(err.strip().splitlines()) == 1


def test_a_store_that_cannot_be_opened_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-db.db"
    bad.write_text("hello, this is not SQLite")
    code, _, err = run(bad)
    assert code == 1
    assert "not an agentdesk database" in err


def test_the_frt_clock_comes_from_the_config(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('frt_clock = "business"\n', encoding="utf-8")
    monkeypatch.setenv("AGENTDESK_CONFIG", str(config))
    code, out, _ = run(store, "--since", "7d", "-f", "json")
    assert code == 0
    assert json.loads(out)["frt_clock"] == "business"
    code, out, _ = run(store, "--since", "7d", "-f", "json", "--frt", "wall")
    assert json.loads(out)["frt_clock"] == "wall"


def test_a_bad_frt_clock_in_the_config_names_its_line(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "nord"\nfrt_clock = "office"\n', encoding="utf-8")
    monkeypatch.setenv("AGENTDESK_CONFIG", str(config))
    code, _, err = run(store)
    assert code == 2
    assert f"{config}:2: 'frt_clock' must be 'wall' or 'business', got 'office'" in err
