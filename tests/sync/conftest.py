"""Sync tests run real workstation engines against the REAL hub of tests/hub/conftest.py."""

from tests.hub.conftest import (  # noqa: F401 - fixtures, reused as they are
    hub_backend,
    hub_process,
    hub_server,
)
