"""Settings: defaults < TOML config file < ``AGENTDESK_*`` environment < command-line flags.

Validation is hand-rolled on ``tomllib`` + dataclasses rather than
pydantic-settings because this module is on the TUI's start-up path and pydantic
alone costs ~0.2 s of the 0.6 s first-paint budget (measured on the 2-core CI
machine). The schema is small, so the cost of owning it is small too: unknown
keys and wrong types are refused with the file, the line and the key.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final

from platformdirs import user_config_path, user_data_path

APP_NAME: Final = "agentdesk"
ENV_PREFIX: Final = "AGENTDESK_"
DEFAULT_SLA_AT_RISK_MINUTES: Final = 60
#: The at-risk window may be up to a week.
MAX_SLA_AT_RISK_MINUTES: Final = 7 * 24 * 60
#: How first reply time may be measured (``agentdesk.domain.metrics.FrtClock``).
FRT_CLOCKS: Final = ("wall", "business")


class ConfigError(Exception):
    """A config file, variable or flag is wrong; the message names where and why."""


@dataclass(frozen=True)
class Settings:
    """Effective settings of one agentdesk process.

    Attributes:
        db: Path of the SQLite store; ``None`` means the XDG data dir default.
        agent: Email of the agent this process acts as; ``None`` means the
            workspace's default agent.
        theme: Textual theme name.
        keymap: Binding id -> keys overrides, applied with ``App.set_keymap``.
        sla_at_risk_minutes: A ticket whose next SLA target falls due within this many
            minutes is at risk: in the "SLA at risk" view, yellow in the SLA column.
        frt_clock: First reply time in ``wall`` clock time or ``business`` hours (of each
            ticket's SLA policy calendar), on the dashboard and in ``agentdesk report``.
        config_path: The file the settings were read from (may not exist).
    """

    db: Path | None = None
    agent: str | None = None
    theme: str = "textual-dark"
    keymap: Mapping[str, str] = field(default_factory=dict)
    sla_at_risk_minutes: int = DEFAULT_SLA_AT_RISK_MINUTES
    frt_clock: str = "wall"
    config_path: Path | None = None

    @property
    def db_path(self) -> Path:
        """The store path: the configured one, or ``agentdesk.db`` in the XDG data dir."""
        return self.db if self.db is not None else default_data_dir() / "agentdesk.db"

    def with_overrides(self, *, db: Path | None = None, agent: str | None = None) -> Settings:
        """Apply command-line flags, which win over everything else."""
        changes: dict[str, Any] = {}
        if db is not None:
            changes["db"] = db.expanduser()
        if agent is not None:
            changes["agent"] = agent
        return replace(self, **changes) if changes else self


#: Config keys -> (expected type, description); the single source for validation and docs.
_KEYS: Final[dict[str, tuple[type, str]]] = {
    "db": (str, "path of the SQLite store"),
    "agent": (str, "email of the agent to act as"),
    "theme": (str, "Textual theme name"),
    "keymap": (dict, "binding id -> keys, e.g. 'queue.open' = 'enter,o'"),
    "sla_at_risk_minutes": (int, "SLA at risk: next target due within this many minutes"),
    "frt_clock": (str, "first reply time in 'wall' clock time or 'business' hours"),
}
_ENV_KEYS: Final = ("db", "agent", "theme")


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$AGENTDESK_CONFIG`` or ``config.toml`` in the XDG config dir (not created)."""
    override = (os.environ if environ is None else environ).get(f"{ENV_PREFIX}CONFIG")
    if override:
        return Path(override).expanduser()
    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def default_data_dir() -> Path:
    """The XDG data dir for agentdesk (not created here: nothing is made at import)."""
    return user_data_path(APP_NAME, appauthor=False)


def _line_of(text: str, key: str) -> int | None:
    """Best-effort line number of ``key`` in a TOML text, for error messages."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip().strip('"').lstrip("[")
        if stripped.startswith(key) and stripped[len(key) :].lstrip().startswith(("=", "]", '"')):
            return number
    return None


def _where(path: Path, text: str, key: str) -> str:
    line = _line_of(text, key)
    return f"{path}:{line}" if line else str(path)


def _close_match(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a likely typo, else ''. difflib loads only on errors."""
    import difflib  # noqa: PLC0415 - off the start-up path

    hint = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{hint[0]}'?)" if hint else ""


def _validate(raw: dict[str, Any], path: Path, text: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _KEYS:
            suggestion = _close_match(key, _KEYS)
            valid = ", ".join(_KEYS)
            raise ConfigError(
                f"{_where(path, text, key)}: unknown key '{key}'{suggestion}; valid keys: {valid}"
            )
        expected, _ = _KEYS[key]
        if not isinstance(value, expected) or isinstance(value, bool):
            wanted = _type_name(expected)
            article = "an" if wanted[0] in "aeiou" else "a"
            raise ConfigError(
                f"{_where(path, text, key)}: '{key}' must be {article} {wanted}, "
                f"got {_type_name(type(value))}"
            )
        if isinstance(value, dict):
            for binding_id, keys in value.items():
                if not isinstance(keys, str) or not keys.strip():
                    raise ConfigError(
                        f"{_where(path, text, binding_id)}: keymap '{binding_id}' must be a "
                        "non-empty string of comma-separated keys"
                    )
        if isinstance(value, int) and not 1 <= value <= MAX_SLA_AT_RISK_MINUTES:
            raise ConfigError(
                f"{_where(path, text, key)}: '{key}' must be 1 to {MAX_SLA_AT_RISK_MINUTES}"
                f" (a week), got {value}"
            )
        if key == "frt_clock" and value not in FRT_CLOCKS:
            raise ConfigError(
                f"{_where(path, text, key)}: 'frt_clock' must be 'wall' or 'business', "
                f"got {value!r}"
            )
        values[key] = Path(value).expanduser() if key == "db" and isinstance(value, str) else value
    return values


def _type_name(kind: type) -> str:
    return {str: "string", dict: "table", int: "integer", float: "number", bool: "boolean"}.get(
        kind, kind.__name__
    )


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read the config file (if it exists) and the environment.

    Args:
        path: Config file to read; defaults to :func:`default_config_path`.
        environ: Environment to read ``AGENTDESK_*`` from; defaults to ``os.environ``.

    Raises:
        ConfigError: naming the file, line and key that is wrong.
    """
    environ = os.environ if environ is None else environ
    path = path or default_config_path(environ)
    values: dict[str, Any] = {}
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read config: {exc}") from exc
        import tomllib  # noqa: PLC0415 - only when there is a file to read

        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
        values = _validate(raw, path, text)
    for key in _ENV_KEYS:
        env_value = environ.get(f"{ENV_PREFIX}{key.upper()}")
        if env_value:
            values[key] = Path(env_value).expanduser() if key == "db" else env_value
    return Settings(config_path=path, **values)


def check_keymap(settings: Settings, binding_ids: set[str]) -> None:
    """Refuse keymap entries that name no binding (they would silently do nothing).

    Raises:
        ConfigError: naming the file, the line and the unknown id.
    """
    for binding_id in settings.keymap:
        if binding_id not in binding_ids:
            # The file is re-read only to point at the line: never on a good start-up.
            path = settings.config_path or default_config_path()
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            suggestion = _close_match(binding_id, binding_ids)
            raise ConfigError(
                f"{_where(path, text, binding_id)}: keymap '{binding_id}' is not a binding id"
                f"{suggestion}; see agentdesk/config.example.toml for the list"
            )


def describe(settings: Settings) -> list[tuple[str, str]]:
    """Effective settings as (name, value) rows for ``agentdesk config``."""
    rows = [
        ("config file", f"{settings.config_path}" + ("" if _exists(settings) else " (absent)")),
        ("data dir", str(default_data_dir())),
        ("db", str(settings.db_path)),
    ]
    for item in fields(Settings):
        if item.name in ("db", "config_path"):
            continue
        value = getattr(settings, item.name)
        if item.name == "keymap":
            value = ", ".join(f"{k}={v}" for k, v in value.items()) or "(defaults)"
        rows.append((item.name, "(workspace default)" if value is None else str(value)))
    return rows


def _exists(settings: Settings) -> bool:
    return settings.config_path is not None and settings.config_path.exists()
