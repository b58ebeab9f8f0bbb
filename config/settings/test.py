"""Test settings: the real services named by the environment (CI: PostgreSQL and Redis),
the embedded ones otherwise."""

import os
import sys

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

# pytest-xdist runs the suite in several processes (dev.py test): each process gets a broker
# of its own, so that one test's purge or crash never takes another process's tasks. Redis:
# the next database numbers after the given one (CI: 1 → 1, 2); the embedded broker: a file
# per process. The test databases are already per process (pytest-django adds _gw0, _gw1).
# Only in the test process itself: a worker or server it starts inherits the variable but is
# handed its broker's address explicitly (and imports no pytest).
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "") if "pytest" in sys.modules else ""
if _XDIST_WORKER.startswith("gw"):
    _index = int(_XDIST_WORKER.removeprefix("gw"))
    if CELERY_BROKER_URL.startswith("redis://"):  # noqa: F405
        _base, _, _number = CELERY_BROKER_URL.rpartition("/")  # noqa: F405
        _number = _number if _number.isdigit() else "0"
        CELERY_BROKER_URL = f"{_base}/{int(_number) + _index}"
        CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
        # Celery prefers the environment variable to the setting: this process sends there.
        os.environ["CELERY_BROKER_URL"] = CELERY_BROKER_URL
    elif CELERY_BROKER_URL.startswith("sqlite://"):
        CELERY_BROKER_URL = f"sqlite:///{VAR_DIR / 'celery' / f'broker-{_XDIST_WORKER}.sqlite3'}"
        os.environ["CELERY_BROKER_URL"] = CELERY_BROKER_URL
