"""Making untrusted text (anything a customer or a remote wrote) safe to show.

Customer text is always rendered as plain text, never as markup; on top of that,
terminal control sequences are made visible instead of being passed to the
terminal, so ``\\x1b[2J`` in an email shows as ``␛[2J`` and clears nothing.
"""

from __future__ import annotations

import re
from typing import Final

#: C0 controls except tab and newline, DEL, and C1 controls (incl. the 8-bit CSI).
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_PICTURES: Final = {0x7F: "␡", 0x1B: "␛"}


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return _PICTURES.get(code, chr(0x2400 + code))
    return _PICTURES.get(code, "\ufffd")


def visible_text(text: str) -> str:
    """Replace control characters with visible symbols; keep newlines and tabs.

    Carriage returns become line breaks first, so ``\\r\\n`` mail text reads right.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(_picture, text)


def one_line(text: str) -> str:
    """Untrusted text for a single-line cell: controls made visible, whitespace folded."""
    return " ".join(visible_text(text).split())
