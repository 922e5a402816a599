"""HMAC-SHA256 signatures of webhook bodies, both ways: inbound checked, outbound signed.

One scheme for every channel and direction, so a provider, the traffic simulator
and a receiver of our replies all sign and check with the same two functions. The
signed text is ``f"{timestamp}."`` followed by the raw body: the timestamp is inside
the MAC, so a captured request cannot be replayed outside the window by editing its
header, and the body is taken byte for byte, before any decoding.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

TIMESTAMP_HEADER: Final = "X-Agentdesk-Timestamp"
SIGNATURE_HEADER: Final = "X-Agentdesk-Signature"
#: How far a request's timestamp may be from our clock, either way (seconds).
WINDOW_SECONDS: Final = 300
_PREFIX: Final = "sha256="
_MAX_TIMESTAMP_DIGITS: Final = 12  # a Unix time in seconds until the year 33658


class SignatureError(ValueError):
    """A request's signature or timestamp is missing, malformed, wrong or stale."""


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Agentdesk-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds,
    as the header spells it)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return _PREFIX + mac.hexdigest()


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Both headers a signed request carries."""
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }


def verify(
    secret: str,
    timestamp: str | None,
    signed: str | None,
    body: bytes,
    *,
    now: float,
    window: int = WINDOW_SECONDS,
) -> None:
    """Accept the request, or say why not.

    The MAC is compared in constant time; the window is checked on the parsed
    timestamp only after the MAC matched, so a forger learns nothing from which
    check failed first.

    Raises:
        SignatureError: one sentence naming what is wrong.
    """
    if not timestamp or not signed:
        missing = TIMESTAMP_HEADER if not timestamp else SIGNATURE_HEADER
        raise SignatureError(f"the {missing} header is missing")
    text = timestamp.strip()
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_TIMESTAMP_DIGITS:
        raise SignatureError(f"{TIMESTAMP_HEADER} must be Unix seconds")
    expected = sign(secret, text, body)
    if not hmac.compare_digest(expected.encode(), signed.strip().encode("utf-8", "replace")):
        raise SignatureError(f"{SIGNATURE_HEADER} does not match the body")
    if abs(now - int(text)) > window:
        raise SignatureError(
            f"{TIMESTAMP_HEADER} is more than {window} s from the hub's clock; "
            "check the sender's clock"
        )
