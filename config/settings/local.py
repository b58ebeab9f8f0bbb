"""The embedded default: a laptop with nothing but Python. Secret key generated once."""

import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The 404 and 500 pages people see, not Django's technical ones; `?debug` in the address shows
# those (core/errors.py). LAUREL_FRIENDLY_ERRORS=false: always the technical pages.
LAUREL_FRIENDLY_ERRORS = env.bool("LAUREL_FRIENDLY_ERRORS", default=True)


def _secret_key() -> str:
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env("SECRET_KEY", default="") or _secret_key()
