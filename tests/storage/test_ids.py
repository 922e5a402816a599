"""Our ULIDs are standard ULIDs: a reference implementation reads them back."""

from __future__ import annotations

import pytest
from ulid import ULID

from storage.ids import encode_ulid, new_ulid


def test_reference_library_parses_our_ulids_with_their_time() -> None:
    for ms in (0, 1, 1_780_000_000_000, (1 << 48) - 1):
        value = encode_ulid(ms, 0x1234_5678_9ABC_DEF0_1234)
        parsed = ULID.from_str(value)
        assert parsed.milliseconds == ms
        assert str(parsed) == value


def test_new_ulids_are_unique_and_sort_by_time() -> None:
    ids = [new_ulid(1_780_000_000_000 + i) for i in range(1000)]
    assert len(set(ids)) == 1000
    assert ids == sorted(ids)


def test_timestamps_outside_the_range_are_refused() -> None:
    with pytest.raises(ValueError, match="outside the ULID range"):
        encode_ulid(1 << 48, 0)
