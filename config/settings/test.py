"""Test settings: the real services named by the environment (CI: PostgreSQL and Redis),
the embedded ones otherwise."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env

SECRET_KEY = "test-secret-key-not-for-production-" + "x" * 32
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
if not env("EMAIL_URL", default=""):
    # Mails still go into the outbox (EMAIL_BACKEND, which Django's test set-up replaces with
    # locmem and tests/conftest.py puts back); delivered ones land in django.core.mail.outbox.
    LAUREL_DELIVERY_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a real worker process can open the same test database;
    # one per test run, so that two runs on one machine never share it. (A worker is told
    # the file's name through its DATABASE_URL, so it does not read this line.)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

# One process's memory: tests clear it before each test (tests/conftest.py). The Redis
# configuration of production is tested against a real server (tests/config/test_cache.py);
# a worker started by a test shares the test's cache through LAUREL_CACHE_URL.
if not env("LAUREL_CACHE_URL", default=""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
