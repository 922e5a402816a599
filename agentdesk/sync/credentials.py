"""The hub login of one store: ``<store>.hub.toml`` beside it, readable by its owner only.

The token is a password: the file is created with mode 0600 in the same
``open`` call (never written first and narrowed later), replaced atomically, and
refused when someone widened its mode, as ssh refuses a readable private key.
Keeping it beside the store (not in the config) ties a login to the replica it
fills, so two stores on one machine can sync with two hubs.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import tomli_w

SUFFIX: Final = ".hub.toml"
MODE: Final = 0o600


class CredentialsError(Exception):
    """The credentials file is missing, unreadable, too open or malformed."""


@dataclass(frozen=True)
class Credentials:
    """Where the hub is, the agent's bearer token, and who that agent is (email)."""

    url: str
    token: str
    agent: str

    def __repr__(self) -> str:  # never print a token by accident
        return f"Credentials(url={self.url!r}, agent={self.agent!r}, token=<hidden>)"


def credentials_path(db_path: Path) -> Path:
    """``<store>.hub.toml``: the credentials file of the store at ``db_path``."""
    return db_path.with_name(db_path.name + SUFFIX)


def save(db_path: Path, credentials: Credentials) -> Path:
    """Write the store's credentials (mode 0600, atomically); returns the file's path."""
    path = credentials_path(db_path)
    text = tomli_w.dumps(
        {"url": credentials.url, "token": credentials.token, "agent": credentials.agent}
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, MODE)
    try:
        os.fchmod(fd, MODE)  # O_CREAT's mode does not apply to a file left over from a crash
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def load(db_path: Path) -> Credentials | None:
    """The store's credentials, or ``None`` if it was never logged in to a hub.

    Raises:
        CredentialsError: the file is readable by others, unreadable or malformed.
    """
    path = credentials_path(db_path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CredentialsError(f"cannot read {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as handle:
        mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
        if mode & 0o077:
            raise CredentialsError(
                f"{path} is readable by others (mode {mode:o}); run `chmod 600 {path}`"
            )
        try:
            data = tomllib.load(handle)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CredentialsError(f"{path}: invalid TOML: {exc}") from exc
    values = {key: data.get(key) for key in ("url", "token", "agent")}
    missing = [key for key, value in values.items() if not isinstance(value, str) or not value]
    if missing:
        raise CredentialsError(f"{path}: missing {', '.join(missing)}; log in again")
    return Credentials(str(values["url"]), str(values["token"]), str(values["agent"]))


def delete(db_path: Path) -> bool:
    """Forget the store's login; returns whether there was one."""
    try:
        credentials_path(db_path).unlink()
    except FileNotFoundError:
        return False
    return True
