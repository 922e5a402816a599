"""The real `agentdesk` command, run as subprocesses in a sealed-off environment.

HOME, the XDG dirs and AGENTDESK_CONFIG point into a tmp dir, so the developer's
own config and data are never read. Each scenario gets its own files; all the
processes are started together when the module's fixture is set up (a process
costs ~0.4 s of start-up, almost all imports), then each test checks one result.
(`demo` and the TUI are tested elsewhere.)
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from storage.migrations import APPLICATION_ID, SCHEMA_VERSION
from tests.cli_support import sealed_env
from tests.factories import AGENTS, make_workspace

Fingerprint = dict[str, tuple[str, int]]


def fingerprint(directory: Path) -> Fingerprint:
    """Every file in ``directory`` with its sha256 and size."""
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size)
        for p in sorted(directory.iterdir())
        if p.is_file()
    }


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


@dataclass
class Case:
    process: subprocess.Popen[str]
    folder: Path
    before: Fingerprint
    result: Run | None = None


@dataclass
class Cli:
    """Starts `agentdesk` processes at once; a result is awaited when a test asks for it."""

    root: Path
    env: dict[str, str]
    cases: dict[str, Case] = field(default_factory=dict)

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir()
        return path

    def start(
        self,
        name: str,
        *args: str,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        script: bool = False,
    ) -> None:
        folder = cwd or self.root / name
        folder.mkdir(exist_ok=True)
        command = (
            [str(Path(sys.executable).parent / "agentdesk")]
            if script
            else [sys.executable, "-m", "agentdesk"]
        )
        process = subprocess.Popen(
            [*command, *args],
            env={**self.env, **(env or {})},
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.cases[name] = Case(process, folder, fingerprint(folder))

    def __getitem__(self, name: str) -> Run:
        case = self.cases[name]
        if case.result is None:
            out, err = case.process.communicate(timeout=60)
            case.result = Run(case.process.returncode, out, err)
        return case.result

    def unchanged(self, name: str) -> bool:
        """Whether the scenario's folder holds exactly the files, bytes and sizes it had."""
        self[name]
        case = self.cases[name]
        return fingerprint(case.folder) == case.before

    def close(self) -> None:
        """Stop what is still running (only our own processes) and reap them all."""
        for case in self.cases.values():
            if case.process.poll() is None:
                case.process.kill()
            if case.result is None:
                case.process.communicate()


def _too_new(path: Path, *, wal: bool) -> None:
    conn = sqlite3.connect(path)
    if wal:  # a newer agentdesk's store is in WAL mode, like ours
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    root = tmp_path_factory.mktemp("cli")
    (root / "home").mkdir()
    template = root / "template.db"
    make_workspace(template, tickets=12)
    c = Cli(root, sealed_env(root))
    try:
        _start_scenarios(c, template)
        yield c
    finally:
        c.close()


def _start_scenarios(c: Cli, template: Path) -> None:
    """Make each scenario's files, then start its process (they all run at once)."""
    root = c.root

    def store(name: str) -> str:
        folder = c.folder(name)
        shutil.copyfile(template, folder / "team.db")
        return str(folder / "team.db")

    # -- config
    c.start("config-defaults", "config")
    with_file = c.folder("config-file")
    (with_file / "config.toml").write_text(
        'db = "~/desk.db"\nagent = "eva@support.example.com"\ntheme = "nord"\n'
        '[keymap]\n"queue.open" = "enter,o"\n'
    )
    file_env = {"AGENTDESK_CONFIG": str(with_file / "config.toml")}
    env_env = {
        **file_env,
        "AGENTDESK_DB": str(root / "env.db"),
        "AGENTDESK_AGENT": "env@x",
        "AGENTDESK_THEME": "dracula",
    }
    c.start("config-file", "config", env=file_env, cwd=with_file)
    c.start("config-env", "config", env=env_env, cwd=with_file)
    flags = ("--db", str(root / "flag.db"), "--as", "flag@x")
    c.start("config-global-flags", *flags, "config", env=env_env, cwd=with_file)

    bad = c.folder("config-bad-key")
    (bad / "config.toml").write_text('theme = "nord"\nthme = "x"\n')
    c.start(
        "config-bad-key",
        "--db",
        store("bad-key-store"),
        "agents",
        env={"AGENTDESK_CONFIG": str(bad / "config.toml")},
        cwd=bad,
    )

    # -- agents
    c.start("agents-table", "--db", store("agents-table"), "agents")
    c.start("agents-json", "agents", "--db", store("agents-json"), "--json")
    c.start("agents-as", "--db", store("agents-as"), "--as", "BEN@support.example.com", "agents")
    c.start("agents-unknown-as", "agents", "--db", store("agents-unknown-as"), "--as", "no@x.io")
    if (Path(sys.executable).parent / "agentdesk").exists():
        c.start(
            "console-script",
            "agents",
            "--json",
            env={"AGENTDESK_DB": store("console-script")},
            script=True,
        )
    store("relative")
    c.start("relative", "--db", "team.db", "agents", "--json", cwd=root / "relative")

    # -- refused stores (each alone in its folder, so any new file beside it shows)
    for wal in (False, True):
        name = f"too-new-{'wal' if wal else 'rollback'}"
        _too_new(c.folder(name) / "future.db", wal=wal)
        c.start(name, "--db", str(root / name / "future.db"), "agents")
    (c.folder("garbage") / "broken.db").write_bytes(bytes(range(256)) * 32)
    c.start("garbage", "agents", "--db", str(root / "garbage" / "broken.db"))
    data = template.read_bytes()
    (c.folder("truncated") / "broken.db").write_bytes(data[: len(data) // 2])
    c.start("truncated", "agents", "--db", str(root / "truncated" / "broken.db"))
    c.start("fresh-store", "agents", "--db", str(root / "fresh-store" / "fresh.db"))


def config_rows(out: str) -> dict[str, str]:
    rows = {}
    for line in out.splitlines():
        name, _, value = line.partition("  ")
        rows[name.strip()] = value.strip()
    return rows


def assert_one_line_error(run: Run, code: int = 1) -> str:
    assert run.code == code, run
    assert run.out == ""
    assert len(run.err_lines) == 1, run.err
    assert run.err.startswith("agentdesk: ")
    return run.err


# --------------------------------------------------------------------------- config


def test_config_prints_paths_and_settings(cli: Cli) -> None:
    result = cli["config-defaults"]
    assert result.code == 0, result.err
    assert result.err == ""
    data_dir = cli.root / "xdg-data" / "agentdesk"
    assert config_rows(result.out) == {
        "config file": f"{cli.root / 'no-config.toml'} (absent)",
        "data dir": str(data_dir),
        "db": str(data_dir / "agentdesk.db"),
        "agent": "(workspace default)",
        "theme": "textual-dark",
        "keymap": "(defaults)",
        "sla_at_risk_minutes": "60",
        "frt_clock": "wall",
    }
    assert not data_dir.exists(), "`agentdesk config` must not create anything"


def test_config_reads_the_file_named_by_agentdesk_config(cli: Cli) -> None:
    result = cli["config-file"]
    assert result.code == 0, result.err
    rows = config_rows(result.out)
    assert rows["config file"] == str(cli.root / "config-file" / "config.toml")
    assert rows["db"] == str(cli.root / "home" / "desk.db")
    assert rows["agent"] == "eva@support.example.com"
    assert rows["theme"] == "nord"
    assert rows["keymap"] == "queue.open=enter,o"


def test_config_environment_beats_the_file(cli: Cli) -> None:
    result = cli["config-env"]
    assert result.code == 0, result.err
    rows = config_rows(result.out)
    assert rows["db"] == str(cli.root / "env.db")
    assert rows["agent"] == "env@x"
    assert rows["theme"] == "dracula"


def test_config_flags_beat_the_environment(cli: Cli) -> None:
    result = cli["config-global-flags"]
    assert result.code == 0, result.err
    rows = config_rows(result.out)
    assert rows["db"] == str(cli.root / "flag.db")
    assert rows["agent"] == "flag@x"
    assert rows["theme"] == "dracula"


def test_bad_config_exits_2_naming_the_key(cli: Cli) -> None:
    err = assert_one_line_error(cli["config-bad-key"], code=2)
    assert f"{cli.root / 'config-bad-key' / 'config.toml'}:2" in err
    assert "'thme'" in err
    assert "did you mean 'theme'" in err


# --------------------------------------------------------------------------- agents


def test_agents_lists_the_factory_agents(cli: Cli) -> None:
    result = cli["agents-table"]
    assert result.code == 0, result.err
    for _id, name, email, _tier in AGENTS:
        assert name in result.out
        assert email in result.out
    assert "Ana Lima (you)" in result.out  # the workspace's default agent
    assert result.out.count("(you)") == 1
    assert "Frontline" in result.out


def test_agents_json(cli: Cli) -> None:
    result = cli["agents-json"]
    assert result.code == 0, result.err
    agents = json.loads(result.out)
    by_tier_then_name = sorted(AGENTS, key=lambda a: (a[3], a[1]))
    assert [(a["id"], a["name"], a["email"], a["tier"]) for a in agents] == by_tier_then_name
    groups = {a["email"]: a["groups"] for a in agents}
    assert groups["ana@support.example.com"] == ["Frontline"]
    assert groups["ben@support.example.com"] == []


def test_console_script_with_db_from_the_environment(cli: Cli) -> None:
    if "console-script" not in cli.cases:
        pytest.skip("the agentdesk console script is not installed next to this Python")
    result = cli["console-script"]
    assert result.code == 0, result.err
    emails = [a[2] for a in sorted(AGENTS, key=lambda a: (a[3], a[1]))]
    assert [a["email"] for a in json.loads(result.out)] == emails


def test_as_picks_the_agent_case_insensitively(cli: Cli) -> None:
    result = cli["agents-as"]
    assert result.code == 0, result.err
    assert "Ben Okafor (you)" in result.out
    assert "Ana Lima (you)" not in result.out


def test_unknown_agent_is_a_one_line_error(cli: Cli) -> None:
    err = assert_one_line_error(cli["agents-unknown-as"])
    assert "no@x.io" in err
    assert "`agentdesk agents`" in err


def test_relative_db_path(cli: Cli) -> None:
    """`agentdesk --db team.db agents` run in the store's directory."""
    result = cli["relative"]
    assert result.code == 0, result.err
    assert len(json.loads(result.out)) == len(AGENTS)


# --------------------------------------------------------------------------- refused stores


@pytest.mark.parametrize("case", ["too-new-rollback", "too-new-wal"])
def test_too_new_database_exits_1_with_one_line_and_file_unchanged(cli: Cli, case: str) -> None:
    err = assert_one_line_error(cli[case])
    assert str(cli.root / case / "future.db") in err
    assert f"v{SCHEMA_VERSION + 1}" in err
    assert cli.unchanged(case), "the file must be unchanged, with no -wal/-shm beside it"


@pytest.mark.parametrize("case", ["garbage", "truncated"])
def test_corrupt_database_exits_1_with_one_line_and_file_unchanged(cli: Cli, case: str) -> None:
    err = assert_one_line_error(cli[case])
    assert str(cli.root / case / "broken.db") in err
    assert cli.unchanged(case), "the file must be unchanged, with no -wal/-shm beside it"


def test_new_store_without_agents_points_to_the_demo(cli: Cli) -> None:
    err = assert_one_line_error(cli["fresh-store"])
    assert "agentdesk demo" in err
