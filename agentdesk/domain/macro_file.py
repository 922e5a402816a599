"""Macros as a TOML file: what ``agentdesk macro export`` writes and ``import`` reads.

One ``[[macro]]`` table per macro, shared ones first, then by title and id, so a
file exported, imported into another store and exported again is the same byte
for byte. Reading checks every entry (types, unknown keys, the template and the
actions, duplicate ids) and reports every problem as ``FILE:macro[N]:FIELD: …``
before anything is written.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from agentdesk.domain.macros import InvalidMacro, MacroDraft, check_macro

HEADER: Final = (
    "# agentdesk canned responses: `agentdesk macro import FILE` reads this file back.\n"
    '# scope = "shared" (managed by leads and admins) or "personal" (the importer\'s own).\n'
    "# Entries with an id update that macro; without one they create a new macro.\n"
    "\n"
)
ENTRY_KEYS: Final = ("id", "title", "scope", "body", "actions")
SCOPES: Final = ("shared", "personal")


@dataclass(frozen=True, slots=True)
class FileMacro:
    """One macro for the file: its id and its checked content."""

    id: str
    draft: MacroDraft


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One checked ``[[macro]]`` entry; ``number`` counts from 1 as people do."""

    number: int
    id: str | None
    draft: MacroDraft


class MacroFileError(ValueError):
    """A file that cannot be imported; ``problems`` has one line per problem found."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def dump_macros(macros: Sequence[FileMacro]) -> str:
    """The TOML text for these macros (shared first, then by title, then id)."""
    import tomli_w  # noqa: PLC0415 - only exports need the writer

    ordered = sorted(macros, key=lambda m: (not m.draft.shared, m.draft.title.casefold(), m.id))
    entries = []
    for macro in ordered:
        entry: dict[str, object] = {
            "id": macro.id,
            "title": macro.draft.title,
            "scope": "shared" if macro.draft.shared else "personal",
            "body": macro.draft.body,
        }
        actions = macro.draft.actions.to_json()
        if actions:
            entry["actions"] = actions
        entries.append(entry)
    return HEADER + tomli_w.dumps({"macro": entries}, multiline_strings=True)


def problem(source: str, number: int | None, field: str | None, message: str) -> str:
    """``FILE:macro[N]:FIELD: message`` (the parts that are known)."""
    where = source + (f":macro[{number}]" if number is not None else "")
    return f"{where}:{field}: {message}" if field else f"{where}: {message}"


def load_macros(text: str, source: str) -> list[FileEntry]:
    """Every entry of a macro file, checked; nothing is returned unless all are valid.

    Raises:
        MacroFileError: listing every problem, each with its file, entry and field.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MacroFileError([problem(source, None, None, f"not valid TOML: {exc}")]) from exc
    unknown = [key for key in document if key != "macro"]
    raw = document.get("macro", [])
    problems: list[str] = []
    if unknown:
        problems.append(
            problem(source, None, unknown[0], "unknown table; a macro file holds [[macro]] entries")
        )
    if not isinstance(raw, list):
        problems.append(problem(source, None, "macro", "must be [[macro]] tables"))
        raise MacroFileError(problems)
    entries: list[FileEntry] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(raw, start=1):
        macro_id = item.get("id") if isinstance(item, Mapping) else None
        if isinstance(macro_id, str) and macro_id.strip() in seen:
            message = f"id {macro_id.strip()} is also used by macro[{seen[macro_id.strip()]}]"
            problems.append(problem(source, number, "id", message))
            continue
        if isinstance(macro_id, str):
            seen[macro_id.strip()] = number
        try:
            entries.append(_entry(number, item))
        except InvalidMacro as exc:
            problems.append(problem(source, number, exc.field, str(exc)))
    if problems:
        raise MacroFileError(problems)
    return entries


def _entry(number: int, item: object) -> FileEntry:
    if not isinstance(item, Mapping):
        raise InvalidMacro("each macro must be a table", field=None)
    unknown = [key for key in item if key not in ENTRY_KEYS]
    if unknown:
        raise InvalidMacro(f"unknown key; use: {', '.join(ENTRY_KEYS)}", field=str(unknown[0]))
    for key in ("title", "body"):
        if not isinstance(item.get(key), str):
            raise InvalidMacro(f"'{key}' is required text", field=key)
    scope = item.get("scope", "personal")
    if scope not in SCOPES:
        raise InvalidMacro(f"scope must be one of: {', '.join(SCOPES)}", field="scope")
    macro_id = item.get("id")
    if macro_id is not None and (not isinstance(macro_id, str) or not macro_id.strip()):
        raise InvalidMacro("'id' must be text (or left out for a new macro)", field="id")
    actions = item.get("actions", {})
    if not isinstance(actions, Mapping):
        raise InvalidMacro("'actions' must be a table", field="actions")
    draft = check_macro(item["title"], item["body"], actions, shared=scope == "shared")
    return FileEntry(number, macro_id.strip() if macro_id else None, draft)
