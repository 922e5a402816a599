"""`agentdesk macro …`: list canned responses, and move them in and out as TOML files.

``export`` then ``import`` into another store then ``export`` gives the same file
byte for byte (ids are kept). ``import`` checks the whole file first — its
syntax, every entry, and every entry against the store (groups, who may share)
— and writes all of it in one transaction or nothing; each problem is one line
``FILE:macro[N]:FIELD: reason`` on stderr, exit 1.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentdesk.cli_common import JsonOption, desk_for, echo_json, plain_console, refusals, sub_app

macro_app = sub_app("macro", "List canned responses (macros); export and import them as TOML.")

# After macro_app exists: agentdesk.cli imports this module to register it.
from agentdesk.cli import AsOption, DbOption, fail  # noqa: E402

if TYPE_CHECKING:
    from agentdesk.desk import Desk
    from agentdesk.domain.macro_file import FileEntry
    from storage.macros import MacroRow


def _json(macro: MacroRow) -> dict[str, Any]:
    import json  # noqa: PLC0415

    return {
        "id": macro.id,
        "title": macro.title,
        "scope": "shared" if macro.shared else "personal",
        "owner": macro.owner_name,
        "usage_count": macro.usage_count,
        "actions": json.loads(macro.actions),
        "body": macro.body,
        "created_at": macro.created_at,
        "updated_at": macro.updated_at,
    }


@macro_app.command("list")
def list_macros(json_: JsonOption = False, db: DbOption = None, as_: AsOption = None) -> None:
    """List the macros you can use: shared ones, then your own, with their usage."""
    from rich import box  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    from agentdesk.domain.macros import InvalidMacro  # noqa: PLC0415
    from agentdesk.domain.text import one_line  # noqa: PLC0415
    from agentdesk.ops.macros import actions_of  # noqa: PLC0415

    with desk_for(db, as_) as desk, refusals():
        macros = desk.macros()
    if json_:
        echo_json([_json(macro) for macro in macros])
        return
    console = plain_console()
    table = Table(title=f"{len(macros)} macros", box=box.SIMPLE_HEAD, pad_edge=False)
    # One line per macro: the id stays whole (scripts use it), texts share the rest 3:2.
    free = max(24, console.width - 8 - 6 - 26 - 10)  # 10: two spaces between columns
    table.add_column("Title", no_wrap=True, overflow="ellipsis", width=free * 3 // 5)
    table.add_column("Scope", no_wrap=True, width=8)
    table.add_column("Uses", no_wrap=True, justify="right", width=6)
    table.add_column("On send", no_wrap=True, overflow="ellipsis", width=free * 2 // 5)
    table.add_column("Id", no_wrap=True, min_width=26)
    for macro in macros:
        try:
            actions = actions_of(macro).describe() or "—"
        except InvalidMacro:
            actions = "invalid"
        scope = "shared" if macro.shared else "personal"
        uses = f"{macro.usage_count:,}"
        table.add_row(Text(one_line(macro.title)), scope, uses, actions, macro.id)
    console.print(table)


@macro_app.command()
def export(
    file: Annotated[
        Path | None, typer.Argument(help="Write to this file (default: standard output).")
    ] = None,
    db: DbOption = None,
    as_: AsOption = None,
) -> None:
    """Write the macros you can use (shared and your own) as a TOML file."""
    from agentdesk.domain.macro_file import FileMacro, dump_macros  # noqa: PLC0415
    from agentdesk.domain.macros import MacroDraft  # noqa: PLC0415
    from agentdesk.ops.macros import actions_of  # noqa: PLC0415

    with desk_for(db, as_) as desk, refusals():
        macros = desk.macros()
        drafts = [
            FileMacro(m.id, MacroDraft(m.title, m.body, actions_of(m), m.shared)) for m in macros
        ]
    text = dump_macros(drafts)
    if file is None:
        sys.stdout.write(text)
        return
    _write_atomically(file, text)
    typer.echo(f"exported {len(drafts)} macros to {file}")


def _write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` only once the whole file is written."""
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
        ) as handle:
            handle.write(text)
        os.replace(handle.name, path)
    except OSError as exc:
        fail(f"cannot write {path}: {exc}")


@macro_app.command("import")
def import_macros(
    file: Annotated[Path, typer.Argument(help="A TOML file as `agentdesk macro export` writes.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything, write nothing.")
    ] = False,
    db: DbOption = None,
    as_: AsOption = None,
) -> None:
    """Create or update macros from a TOML file: all of them, or none if any is refused."""
    from agentdesk.domain.macro_file import MacroFileError, load_macros  # noqa: PLC0415

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}", code=2)
    try:
        entries = load_macros(text, str(file))
    except MacroFileError as exc:
        fail("\n".join(exc.problems))
    with desk_for(db, as_) as desk, refusals():
        created, updated, unchanged = _import(desk, entries, str(file), dry_run=dry_run)
    done = "would import" if dry_run else "imported"
    typer.echo(f"{done} {file}: {created} created, {updated} updated, {unchanged} unchanged")


def _import(
    desk: Desk, entries: list[FileEntry], source: str, *, dry_run: bool
) -> tuple[int, int, int]:
    """Check every entry against the store, then apply them in one transaction."""
    from agentdesk.desk import NothingToChange  # noqa: PLC0415
    from agentdesk.domain.macro_file import problem  # noqa: PLC0415
    from storage.macros import get_macro  # noqa: PLC0415

    with desk.db.read() as conn:
        existing = {e.id for e in entries if e.id and get_macro(conn, e.id) is not None}
    actions: list[tuple[str, dict[str, object]]] = []
    for entry in entries:
        args: dict[str, object] = {
            "title": entry.draft.title,
            "body": entry.draft.body,
            "actions": entry.draft.actions.to_json(),
            "shared": entry.draft.shared,
        }
        if entry.id is not None:
            args["id"] = entry.id
        actions.append(("update_macro" if entry.id in existing else "create_macro", args))
    unchanged: set[int] = set()
    problems = []
    for position, refusal in desk.check_workspace(actions):
        if isinstance(refusal, NothingToChange):
            unchanged.add(position)
            continue
        field = getattr(refusal, "field", None)
        problems.append(problem(source, entries[position].number, field, str(refusal)))
    if problems:
        fail("\n".join(problems))
    wanted = [action for n, action in enumerate(actions) if n not in unchanged]
    if not dry_run:
        desk.apply_workspace_many(wanted)
    updated = sum(1 for op, _ in wanted if op == "update_macro")
    return len(wanted) - updated, updated, len(unchanged)
