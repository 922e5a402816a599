"""Sync tests run real workstation engines against the REAL hub of tests/hub/conftest.py."""

from tests.hub.conftest import hub_process, hub_server  # noqa: F401 - fixtures, reused as they are
