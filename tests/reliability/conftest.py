"""Reliability tests run real workstations against the REAL hub of tests/hub/conftest.py."""

from tests.hub.conftest import hub_process, hub_server  # noqa: F401 - fixtures, reused as they are
