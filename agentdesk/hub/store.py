"""Opening a store as the team hub: the workstation's schema plus the change feed.

A hub is an ordinary agentdesk store (same migrations, same Desk rules) with the
feed triggers of :mod:`agentdesk.hub.feed_schema` installed and ``setting.role``
set to ``hub``. The triggers live only on the hub: a workstation's replica must
not log the rows it pulls. The first time a store becomes a hub, every row it
already holds (a seeded demo, a migrated workstation) is backfilled into the feed
in the same transaction, so a client's initial sync sees all of it. The delivery
trigger (:data:`storage.hub.DELIVERY_TRIGGER`) is hub-only too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from agentdesk.hub import feed_schema
from storage.agents import get_setting, set_setting
from storage.hub import install_delivery_trigger
from storage.sql import Store
from storage.stores import open_store

ROLE_SETTING: Final = "role"
HUB_ROLE: Final = "hub"


def open_hub(target: Path | str) -> Store:
    """Open (creating or migrating as needed) the store at ``target`` as a hub.

    ``target``: a SQLite file or a ``postgresql://`` URL.

    Raises:
        StoreError: with a one-line reason; the file is left as it was.
    """
    db = open_store(target)
    try:
        with db.transaction() as conn:
            feed_schema.install_triggers(conn)
            install_delivery_trigger(conn)
            if get_setting(conn, ROLE_SETTING) != HUB_ROLE:
                feed_schema.backfill(conn)
                set_setting(conn, ROLE_SETTING, HUB_ROLE)
    except BaseException:
        db.close()
        raise
    return db
