"""Making and reading personal access tokens. A token is ``lrl_`` and 40 random characters;
the database keeps its SHA-256 digest and its first 12 characters (to tell tokens apart)."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "lrl_"


def token_make() -> str:
    return PREFIX + secrets.token_urlsafe(30)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_prefix(token: str) -> str:
    return token[:12]
