"""Settings shared by every environment.

Everything that differs between a laptop and production comes from the environment
(12-factor). The defaults here are the *embedded* ones: SQLite, a Celery broker in an
SQLite file of its own, local media files and mail written to files, all under ``var/``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

VAR_DIR = Path(env("LAUREL_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The public address: every absolute link (mails, exports) starts with it. `dev.py run --port N`
# sets it to http://127.0.0.1:N; production refuses to start without it.
SITE_URL = env("LAUREL_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The imprint (Impressum) and the privacy policy, linked in every page's footer (empty: no
# link); production refuses to start without them.
LAUREL_IMPRINT_URL = env("LAUREL_IMPRINT_URL", default="")
LAUREL_PRIVACY_URL = env("LAUREL_PRIVACY_URL", default="")
# The version of that policy people agree to (accounts.consent): a new value asks every
# logged-in person to agree again on their next page view.
LAUREL_PRIVACY_VERSION = env("LAUREL_PRIVACY_VERSION", default="2026-12")
# With DEBUG on, the friendly 404 and 500 pages instead of Django's technical ones (which
# `?debug` in the address still shows): core/errors.py. On in local settings.
LAUREL_FRIENDLY_ERRORS = env.bool("LAUREL_FRIENDLY_ERRORS", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rules.apps.AutodiscoverRulesConfig",
    "core",
    "accounts",
    "awards",
    "submissions",
    "jury",
    "notifications",
    "results",
    "certificates",
    "webhooks",
    "api",
    "privacy",
]

MIDDLEWARE = [
    # First: the moment a request arrived, which deadlines are judged by (core/arrival.py).
    "core.arrival.ArrivalMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files need no policy), before everything that may answer: the
    # error pages and the lockout page get the Content-Security-Policy too.
    "core.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionActivityMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    # Inside the user and the language: asks for consent to a new privacy policy version.
    "accounts.consent_middleware.PrivacyConsentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside the language and the user: the friendly error pages speak the page's language.
    "core.errors.FriendlyErrorsMiddleware",
    # A page of an award that requires a second factor leads to setting one up.
    "accounts.second_factor_middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by the backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.legal",
                "awards.context_processors.navigation",
                "jury.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'laurel.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web process and the worker write side by side.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A client that vanishes mid-transaction (a worker killed, a network cut) must not keep
    # its row locks until TCP notices hours later: the server ends a session that sits idle
    # inside a transaction for this long, and keepalives find dead peers within a minute.
    idle_in_transaction = env.int("LAUREL_DB_IDLE_IN_TRANSACTION_TIMEOUT", default=60)
    database_options = DATABASES["default"].setdefault("OPTIONS", {})
    if idle_in_transaction > 0:  # 0: set on the server instead (e.g. behind PgBouncer)
        database_options["options"] = " ".join(
            part
            for part in (
                database_options.get("options", ""),
                f"-c idle_in_transaction_session_timeout={idle_in_transaction * 1000}",
            )
            if part
        )
    for key, value in {
        "connect_timeout": 10,
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }.items():
        database_options.setdefault(key, value)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication ------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Throttles login attempts before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:start"  # the user's own home (accounts.landing)
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
EMAIL_VERIFICATION_TIMEOUT = 60 * 60 * 24 * 7

# django-axes: the 6th wrong password in a row for one account is refused for a while.
# The lock is keyed on the account (and, separately, on the client address), so a forged
# X-Forwarded-For cannot dodge it; the client
# address is read from REMOTE_ADDR only unless a trusted proxy is configured.
# axes locks when the count of failures reaches the limit: with 6, five wrong passwords get
# the normal error and the sixth is refused with the lockout page.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=6)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list(
    "AXES_IPWARE_META_PRECEDENCE_ORDER", default=["REMOTE_ADDR"]
)
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0) or None
AXES_VERBOSE = False
# The authenticator app's entry is named after the platform (django-otp).
OTP_TOTP_ISSUER = env("LAUREL_TOTP_ISSUER", default="Laurel")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp) on every page (core.csp: documents, not pictures or
# JSON): only our own files run and style the page. Scripts are external files in static/
# (no inline script, no nonce, no eval); styles are stylesheets, and no style="" attribute
# but one (below): bars get their width through the CSSOM (static/js/bar-widths.js). Images
# are ours or data: URIs (Bootstrap's icons in its stylesheet). Uploaded files are always
# served through our own views, from S3 too, so no other origin is needed. A response that
# sets a policy of its own keeps it: downloads (core.http.protected_file) and the winners
# widget, which lists the sites that may frame it (results.views.public).
# LAUREL_CSP_REPORT_ONLY=true sends the policy as Content-Security-Policy-Report-Only:
# browsers report what it would block and block nothing (docs/operations.md); reports go to
# LAUREL_CSP_REPORT_URI if set, else to the console.
# The one style="" attribute: the <body> of Laurel's HTML mails (notifications.rendering.
# render_html), shown to organisers in a sandboxed srcdoc frame, which inherits this policy.
# Allowed by its hash, exactly that text (tests/config/test_csp.py checks the mail's).
LAUREL_CSP_MAIL_STYLE_HASH = "'sha256-H+vXkkAjrUVWcQaHLSpUQJDdrVYisQlWavLPaWnszb0='"
_csp_directives: dict[str, list[str]] = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "style-src-attr": [UNSAFE_HASHES, LAUREL_CSP_MAIL_STYLE_HASH],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [NONE],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}
if env("LAUREL_CSP_REPORT_URI", default=""):
    _csp_directives["report-uri"] = [env("LAUREL_CSP_REPORT_URI")]
LAUREL_CSP_REPORT_ONLY = env.bool("LAUREL_CSP_REPORT_ONLY", default=False)
if LAUREL_CSP_REPORT_ONLY:
    CONTENT_SECURITY_POLICY = None
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _csp_directives}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _csp_directives}
    CONTENT_SECURITY_POLICY_REPORT_ONLY = None

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
# Off: with it, every {{ id }} in a template would render as "5.244". Amounts and counts
# that want grouping ask for it (the money filter, |intcomma).
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_NAME = "laurel_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# No MEDIA_URL on purpose: uploaded files are only ever served through permission-checked
# views (or short-lived signed S3 URLs), never from a guessable public path.

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "file_overwrite": False,
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="path"),
            "signature_version": "s3v4",
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640
# A PDF document's pages are rendered as images after the upload (submissions.previews), so
# that jurors read it in the page; at most this many pages each (the rest by download). Each
# page is stored twice, up to about 250 kB to read and 550 kB to zoom (a page of dense text;
# sparse pages less): at most some 80 MB per 100 pages.
LAUREL_PREVIEW_MAX_PAGES = env.int("LAUREL_PREVIEW_MAX_PAGES", default=100)
# A person's data export (privacy app) can be downloaded for this many days, then it is deleted.
LAUREL_EXPORT_DAYS = env.int("LAUREL_EXPORT_DAYS", default=7)

# --- Email ----------------------------------------------------------------------------
# Every mail goes through the outbox: Django's EMAIL_BACKEND (account mails, password
# resets, error mails) stores it as a notifications Message, and the delivery task sends it
# with retries through LAUREL_DELIVERY_EMAIL_BACKEND, the real transport. No request talks
# to the mail server. EMAIL_URL, e.g. smtp+tls://user:password@mail.example.org:587, sets
# that transport; the embedded default writes every mail as a file under var/mail.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Laurel <awards@laurel.example>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_BACKEND = "notifications.backends.OutboxEmailBackend"
if env("EMAIL_URL", default=""):
    _email = env.email_url("EMAIL_URL")
    LAUREL_DELIVERY_EMAIL_BACKEND = _email.pop("EMAIL_BACKEND")
    vars().update(_email)
else:
    LAUREL_DELIVERY_EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The domain in every Message-ID we generate, e.g. <hash@laurel.example>.
LAUREL_MAIL_DOMAIN = env("LAUREL_MAIL_DOMAIN", default="laurel.example")
# The outbox sweeper re-enqueues a pending message whose task is this late, and gives a
# message stuck in "sending" (its worker died) back to the queue after this long; the latter
# must exceed EMAIL_TIMEOUT by a margin, so a slow but live delivery is never doubled.
LAUREL_OUTBOX_PENDING_AFTER = env.int("LAUREL_OUTBOX_PENDING_AFTER", default=120)
LAUREL_OUTBOX_SENDING_AFTER = env.int("LAUREL_OUTBOX_SENDING_AFTER", default=300)
# An announcement whose expansion has not moved on for this long lost its task (a flushed or
# unreachable broker, a killed worker, a database error); the sweeper resumes it.
LAUREL_BULK_STALL_AFTER = env.int("LAUREL_BULK_STALL_AFTER", default=120)
LAUREL_OUTBOX_SWEEP_BATCH = env.int("LAUREL_OUTBOX_SWEEP_BATCH", default=5000)
LAUREL_BULK_CHUNK = env.int("LAUREL_BULK_CHUNK", default=500)
# Seconds after a reminder (scheduled or by hand) in which an organiser's "remind now" skips
# the juror unless "remind them anyway" is ticked: one juror, one reminder a day.
LAUREL_REMINDER_MIN_INTERVAL = env.int("LAUREL_REMINDER_MIN_INTERVAL", default=24 * 3600)

# --- Celery ---------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# The embedded broker, no server: one SQLite file of its own (config/broker.py). Producers
# and workers on this machine share it; bench/broker.py compares it with the alternatives.
EMBEDDED_BROKER_URL = f"sqlite:///{VAR_DIR / 'celery' / 'broker.sqlite3'}"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or EMBEDDED_BROKER_URL)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if CELERY_BROKER_URL.startswith("sqlite://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # The longest wait between two looks at an empty queue (the first task after a quiet
        # spell waits up to this long; under load a worker looks again at once).
        "polling_interval": env.float("CELERY_BROKER_POLLING_INTERVAL", default=0.1),
    }
    _results_dir = VAR_DIR / "celery" / "results"
    _results_dir.mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=f"file://{_results_dir}")
elif CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's folder broker, the earlier default: still works, but a worker can read a
    # message that is still being written, stop on it and lose it (docs/operations.md).
    _queue_dir = VAR_DIR / "celery" / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
        # kombu waits this long whenever the worker's prefetch is full; its 1 s default caps
        # a worker at (concurrency × prefetch) tasks a second (measured: 2 mails/s → ~65).
        "polling_interval": env.float("CELERY_BROKER_POLLING_INTERVAL", default=0.02),
    }
    (VAR_DIR / "celery" / "control").mkdir(parents=True, exist_ok=True)
    _results_dir = VAR_DIR / "celery" / "results"
    _results_dir.mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=f"file://{_results_dir}")
else:
    # A visibility timeout longer than any countdown we use: a task that is delivered but
    # not acknowledged is handed out again only after this long.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60 * 24),
    }
    CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Expanding an announcement has a queue of its own, which every worker takes from in turn with
# the default one: its next chunk never waits behind the mails of the chunks before it.
CELERY_TASK_QUEUES = [
    Queue("celery", Exchange("celery"), routing_key="celery"),
    Queue("bulk", Exchange("bulk"), routing_key="bulk"),
]
CELERY_TASK_ROUTES = {"notifications.bulk_expand": {"queue": "bulk"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Celery closes a worker's database connection after every task; opening and closing an
    # SQLite one (its pragmas, Django's functions, a WAL checkpoint) was about a third of the
    # work of delivering a mail (bench/notifications.py). A local file has no connection to
    # lose, so a worker process keeps it for 100 tasks.
    CELERY_DB_REUSE_MAX = 100
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_TASK_DEFAULT_RETRY_DELAY = 30
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "heartbeat": {"task": "laurel.ping", "schedule": timedelta(minutes=5)},
    "outbox-sweep": {"task": "notifications.sweep", "schedule": timedelta(minutes=1)},
    "draft-reminders": {"task": "submissions.draft_reminders", "schedule": timedelta(hours=1)},
    "previews-sweep": {"task": "submissions.previews_sweep", "schedule": timedelta(minutes=5)},
    "exports-sweep": {"task": "privacy.exports_sweep", "schedule": timedelta(minutes=5)},
    "jury-reminders": {"task": "jury.reminders", "schedule": timedelta(hours=1)},
    "results-publish": {"task": "jury.publish_due", "schedule": timedelta(minutes=1)},
    # The jury's feedback released at its scheduled moment (behind the ETA task).
    "feedback-release": {"task": "results.feedback_release_due", "schedule": timedelta(minutes=1)},
    # Edition reports left pending by a lost task are built (or failed) here.
    "reports-sweep": {"task": "results.edition_reports_sweep", "schedule": timedelta(minutes=5)},
    "retention-sweep": {"task": "submissions.retention_sweep", "schedule": timedelta(days=1)},
    "certificates-sweep": {"task": "certificates.sweep", "schedule": timedelta(minutes=5)},
    # Webhook deliveries due for a retry, or left by a lost task or a dead worker.
    "webhooks-sweep": {"task": "webhooks.sweep", "schedule": timedelta(minutes=1)},
}

# --- Cache and sessions ---------------------------------------------------------------
# Computed rankings and their robustness, the public pages for anonymous visitors and the
# sessions are kept in the cache. A server in production (Redis: LAUREL_CACHE_URL, else
# REDIS_URL; give the cache a database of its own, e.g. redis://redis:6379/2, so that
# clearing it never touches the broker's queue). The embedded default is a folder, shared
# by the web processes and the worker: a memory cache per process would neither see what
# the worker computed nor a logout in another process.
CACHE_URL = env("LAUREL_CACHE_URL", default=REDIS_URL)
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            # A server that does not answer is a miss, not an error page (core/cache.py);
            # the pool's connections give up after a second.
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env("LAUREL_CACHE_PREFIX", default="laurel"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
# Sessions are read from the cache and written through to the database: a page view costs
# no session query, and a session outlives a cleared or restarted cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Crispy forms ---------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- The REST API (api/, docs/api.md) -----------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env("LAUREL_API_RATE", default="600/min"),
        "anonymous": env("LAUREL_API_PUBLIC_RATE", default="120/min"),
    },
    "UNAUTHENTICATED_USER": None,
    # Who is "one address" for the public endpoints' throttle: the same trust as the login
    # throttle's (AXES_IPWARE_PROXY_COUNT trusted proxies in front; none: REMOTE_ADDR), so a
    # client's own X-Forwarded-For never picks its bucket.
    "NUM_PROXIES": AXES_IPWARE_PROXY_COUNT or 0,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Laurel API",
    "DESCRIPTION": "Awards, entries, the jury's work and the results of one award per token.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status"; each choice set gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {"SubmissionStatusEnum": "submissions.enums.SubmissionStatus"},
}
# Personal access tokens: the longest life a token may be given, in days.
LAUREL_API_TOKEN_MAX_DAYS = env.int("LAUREL_API_TOKEN_MAX_DAYS", default=365)
# Webhooks: endpoints may resolve to loopback/private addresses only where this is on (tests).
LAUREL_WEBHOOKS_ALLOW_PRIVATE = env.bool("LAUREL_WEBHOOKS_ALLOW_PRIVATE", default=False)
