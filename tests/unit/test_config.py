"""Settings: defaults < file < environment < flags; errors name the file, line and key.

Every test passes ``path=`` and ``environ=`` (or a controlled ``os.environ``), so the
developer's own config is never read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentdesk.config import (
    ConfigError,
    Settings,
    default_config_path,
    default_data_dir,
    describe,
    load_settings,
)

NO_ENV: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every XDG/HOME lookup at tmp_path, and drop AGENTDESK_* from os.environ."""
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    for name in ("AGENTDESK_CONFIG", "AGENTDESK_DB", "AGENTDESK_AGENT", "AGENTDESK_THEME"):
        monkeypatch.delenv(name, raising=False)


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- precedence


def test_defaults_when_no_file_and_no_env(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    settings = load_settings(path=path, environ=NO_ENV)
    assert settings == Settings(config_path=path)
    assert settings.db is None
    assert settings.agent is None
    assert settings.theme == "textual-dark"
    assert dict(settings.keymap) == {}
    assert settings.db_path == tmp_path / "xdg_data_home" / "agentdesk" / "agentdesk.db"
    assert not path.exists(), "reading settings creates nothing"


def test_file_overrides_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'db = "~/stores/team.db"\n'
        'agent = "ben@support.example.com"\n'
        'theme = "nord"\n'
        "\n"
        "[keymap]\n"
        '"queue.open" = "enter,o"\n'
        '"ticket.reply" = "r"\n',
    )
    settings = load_settings(path=path, environ=NO_ENV)
    assert settings.db == tmp_path / "home" / "stores" / "team.db"  # ~ expanded
    assert settings.db_path == settings.db
    assert settings.agent == "ben@support.example.com"
    assert settings.theme == "nord"
    assert dict(settings.keymap) == {"queue.open": "enter,o", "ticket.reply": "r"}
    assert settings.config_path == path


def test_env_overrides_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'db = "/from/file.db"\nagent = "file@x"\ntheme = "nord"\n')
    env = {
        "AGENTDESK_DB": "~/env.db",
        "AGENTDESK_AGENT": "env@x",
        "AGENTDESK_THEME": "gruvbox",
    }
    settings = load_settings(path=path, environ=env)
    assert settings.db == tmp_path / "home" / "env.db"
    assert settings.agent == "env@x"
    assert settings.theme == "gruvbox"


def test_each_env_var_alone(tmp_path: Path) -> None:
    path = write(tmp_path, 'db = "/from/file.db"\nagent = "file@x"\ntheme = "nord"\n')
    assert load_settings(path=path, environ={"AGENTDESK_DB": "/env.db"}).db == Path("/env.db")
    only_agent = load_settings(path=path, environ={"AGENTDESK_AGENT": "env@x"})
    assert (only_agent.db, only_agent.agent, only_agent.theme) == (
        Path("/from/file.db"),
        "env@x",
        "nord",
    )
    assert load_settings(path=path, environ={"AGENTDESK_THEME": "dracula"}).theme == "dracula"


def test_empty_env_values_do_not_override(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\n')
    settings = load_settings(path=path, environ={"AGENTDESK_THEME": "", "AGENTDESK_DB": ""})
    assert settings.theme == "nord"
    assert settings.db is None


def test_env_is_read_from_environ_not_os_environ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTDESK_THEME", "from-os-environ")
    settings = load_settings(path=tmp_path / "absent.toml", environ={})
    assert settings.theme == "textual-dark"


def test_flags_override_env_and_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'db = "/from/file.db"\nagent = "file@x"\n')
    settings = load_settings(
        path=path, environ={"AGENTDESK_DB": "/env.db", "AGENTDESK_AGENT": "env@x"}
    )
    flagged = settings.with_overrides(db=Path("~/flag.db"), agent="flag@x")
    assert flagged.db == tmp_path / "home" / "flag.db"
    assert flagged.agent == "flag@x"
    assert flagged.config_path == path
    # Flags not given leave the rest alone.
    assert settings.with_overrides() is settings
    only_db = settings.with_overrides(db=Path("/flag.db"))
    assert (only_db.db, only_db.agent) == (Path("/flag.db"), "env@x")


# --------------------------------------------------------------------------- which file


def test_agentdesk_config_picks_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = write(tmp_path, 'theme = "chosen"\n', name="chosen.toml")
    monkeypatch.setenv("AGENTDESK_CONFIG", str(chosen))
    assert default_config_path() == chosen
    settings = load_settings()  # os.environ is the sealed one this module's fixture made
    assert settings.theme == "chosen"
    assert settings.config_path == chosen


def test_agentdesk_config_expands_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTDESK_CONFIG", "~/my.toml")
    assert default_config_path() == tmp_path / "home" / "my.toml"


def test_agentdesk_config_in_environ_picks_the_file(tmp_path: Path) -> None:
    """``environ`` is the environment ``load_settings`` reads AGENTDESK_* from, all of them.

    A caller that passes ``environ=`` (a test, an embedding app) must not have the
    config file chosen by the process's own ``os.environ``/XDG dir instead.
    """
    chosen = write(tmp_path, 'theme = "chosen"\n', name="chosen.toml")
    decoy = tmp_path / "xdg_config_home" / "agentdesk" / "config.toml"
    decoy.parent.mkdir(parents=True)
    decoy.write_text('theme = "decoy"\n')

    settings = load_settings(environ={"AGENTDESK_CONFIG": str(chosen)})

    assert settings.config_path == chosen
    assert settings.theme == "chosen"


def test_default_config_path_is_in_the_xdg_config_dir(tmp_path: Path) -> None:
    assert default_config_path() == tmp_path / "xdg_config_home" / "agentdesk" / "config.toml"
    assert default_data_dir() == tmp_path / "xdg_data_home" / "agentdesk"
    assert not default_data_dir().exists()


# --------------------------------------------------------------------------- errors


def test_unknown_key_names_file_line_key_and_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, '# my settings\n\ndb = "/x.db"\nthme = "nord"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, environ=NO_ENV)
    message = str(caught.value)
    assert f"{path}:4" in message
    assert "'thme'" in message
    assert "did you mean 'theme'" in message
    assert "\n" not in message


def test_unknown_key_without_close_match_lists_valid_keys(tmp_path: Path) -> None:
    path = write(tmp_path, 'colour_scheme_for_everything = "x"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, environ=NO_ENV)
    message = str(caught.value)
    assert f"{path}:1" in message
    assert "colour_scheme_for_everything" in message
    assert "did you mean" not in message
    for key in ("db", "agent", "theme", "keymap"):
        assert key in message


def test_unknown_table_names_its_header_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\n\n[keymaps]\n"queue.open" = "o"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, environ=NO_ENV)
    message = str(caught.value)
    assert f"{path}:3" in message
    assert "'keymaps'" in message
    assert "did you mean 'keymap'" in message


@pytest.mark.parametrize(
    ("text", "key", "expected", "got"),
    [
        ("theme = 3\n", "theme", "string", "integer"),
        ("agent = true\n", "agent", "string", "boolean"),
        ("db = 1.5\n", "db", "string", "number"),
        ('db = ["a", "b"]\n', "db", "string", "list"),
        ('keymap = "enter"\n', "keymap", "table", "string"),
        ("[theme]\nname = 'x'\n", "theme", "string", "table"),
    ],
)
def test_wrong_type_names_key_and_types(
    tmp_path: Path, text: str, key: str, expected: str, got: str
) -> None:
    path = write(tmp_path, "# comment\n" + text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, environ=NO_ENV)
    message = str(caught.value)
    assert f"'{key}'" in message
    assert f"must be a {expected}" in message
    assert f"got {got}" in message
    assert f"{path}:2" in message


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "unterminated\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, environ=NO_ENV)
    message = str(caught.value)
    assert str(path) in message
    assert "invalid TOML" in message


def test_undecodable_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "\xff\xfe"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, environ=NO_ENV)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    "entry",
    ['"queue.open" = ""', '"queue.open" = "   "', '"queue.open" = 1', '"queue.open" = ["o"]'],
)
def test_keymap_values_must_be_non_empty_strings(tmp_path: Path, entry: str) -> None:
    path = write(tmp_path, f'theme = "nord"\n[keymap]\n"ticket.reply" = "r"\n{entry}\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, environ=NO_ENV)
    message = str(caught.value)
    assert "queue.open" in message
    assert "non-empty string" in message
    assert f"{path}:4" in message


def test_env_values_are_not_validated_against_the_file(tmp_path: Path) -> None:
    """A bad file is reported even when the environment sets the same key."""
    path = write(tmp_path, "theme = 3\n")
    with pytest.raises(ConfigError):
        load_settings(path=path, environ={"AGENTDESK_THEME": "nord"})


# --------------------------------------------------------------------------- describe


def test_describe_rows_for_defaults(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    rows = describe(load_settings(path=path, environ=NO_ENV))
    data_dir = tmp_path / "xdg_data_home" / "agentdesk"
    assert rows == [
        ("config file", f"{path} (absent)"),
        ("data dir", str(data_dir)),
        ("db", str(data_dir / "agentdesk.db")),
        ("agent", "(workspace default)"),
        ("theme", "textual-dark"),
        ("keymap", "(defaults)"),
        ("sla_at_risk_minutes", "60"),
        ("frt_clock", "wall"),
    ]


def test_describe_rows_for_a_configured_process(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\n[keymap]\n"queue.open" = "enter,o"\n"a.b" = "x"\n')
    settings = load_settings(path=path, environ={"AGENTDESK_AGENT": "eva@x"}).with_overrides(
        db=Path("/srv/desk.db")
    )
    rows = dict(describe(settings))
    assert rows["config file"] == str(path)  # exists: no "(absent)"
    assert rows["db"] == "/srv/desk.db"
    assert rows["agent"] == "eva@x"
    assert rows["theme"] == "nord"
    assert rows["keymap"] == "queue.open=enter,o, a.b=x"
    assert [name for name, _ in describe(settings)] == [
        "config file",
        "data dir",
        "db",
        "agent",
        "theme",
        "keymap",
        "sla_at_risk_minutes",
        "frt_clock",
    ]


def test_the_sla_at_risk_window_is_read_and_checked(tmp_path: Path) -> None:
    assert load_settings(path=tmp_path / "absent.toml", environ=NO_ENV).sla_at_risk_minutes == 60
    path = write(tmp_path, "sla_at_risk_minutes = 90\n")
    assert load_settings(path=path, environ=NO_ENV).sla_at_risk_minutes == 90
    for text, message in (
        ("sla_at_risk_minutes = 0\n", "'sla_at_risk_minutes' must be 1 to 10080 (a week), got 0"),
        ("sla_at_risk_minutes = true\n", "'sla_at_risk_minutes' must be an integer, got boolean"),
        ("sla_at_risk_minutes = 1.5\n", "'sla_at_risk_minutes' must be an integer, got number"),
    ):
        with pytest.raises(ConfigError, match=re.escape(f"{path}:1: {message}")):
            load_settings(path=write(tmp_path, text), environ=NO_ENV)
