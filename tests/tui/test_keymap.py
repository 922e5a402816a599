"""Remapping keys by binding id, and keeping the documented list of ids true."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

import agentdesk
from agentdesk.app import binding_ids
from agentdesk.config import ConfigError, Settings, check_keymap, load_settings
from tests.tui.conftest import AppFactory
from tests.tui.helpers import settle
from widgets.queue_table import QueueTable

EXAMPLE = Path(agentdesk.__file__).parent / "config.example.toml"


def test_example_config_lists_every_binding_id_and_nothing_else() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    documented = set(re.findall(r'^# "([a-z0-9_.]+)" = ', text, flags=re.MULTILINE))
    assert documented == binding_ids()
    # Uncommented, the example is a valid config.
    uncommented = re.sub(r"^# (\"|(?:db|agent|theme) =)", r"\1", text, flags=re.MULTILINE)
    raw = tomllib.loads(uncommented)
    assert set(raw) == {"db", "agent", "theme", "keymap"}


def test_unknown_binding_id_is_refused_with_its_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"queue.dwn" = "n"\n', encoding="utf-8")
    settings = load_settings(config, environ={})
    with pytest.raises(ConfigError, match=r"config.toml:2: keymap 'queue.dwn' .*'queue.down'"):
        check_keymap(settings, binding_ids())


async def test_a_remapped_key_moves_the_cursor(app_factory: AppFactory, store_path: Path) -> None:
    app = app_factory()
    app.settings = Settings(db=store_path, keymap={"queue.down": "w"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(QueueTable)
        await pilot.press("w", "w")
        assert table.cursor == 2
        await pilot.press("j")  # no longer bound
        assert table.cursor == 2
