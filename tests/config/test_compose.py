"""docker-compose.yml and the Dockerfile run real entry points of ours, keep the task queue
safe, run one scheduler, hold no secret and pass only settings that Laurel reads.

Docker need not run for these: the files are read as data and every name in them is looked
up in the code. Each check returns the problems it found, so the tests at the end can show
that it does find them.
"""

import copy
import json
import re
import shlex
from importlib import import_module
from pathlib import Path

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from django.core.management import get_commands
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SETTINGS_DIR = ROOT / "config" / "settings"

# Variables with these prefixes are Laurel's settings: each must be read by config/settings.
SETTINGS_PREFIXES = ("DJANGO_", "AWS_", "CELERY_", "DATABASE_", "REDIS_", "EMAIL_", "SECRET_")
# Read by Django itself (manage.py, wsgi.py, celery.py), not by a settings module.
READ_BY_DJANGO = {"DJANGO_SETTINGS_MODULE"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|ACCESS_KEY|ROOT_USER")
# ${NAME}, ${NAME:?message} or ${NAME?message}: the value comes from the environment, and
# there is no literal fallback (a ${NAME:-default} would commit the default).
SECRET_INTERPOLATION = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:?\?[^}]*)?\}")
REQUIRED_INTERPOLATION = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?\?[^}]*\}")
URL_USERINFO = re.compile(r"[a-z][a-z0-9+.-]*://(?P<userinfo>(?:\$\{[^}]*\}|[^@/$])*)@")
DEFAULT_VALUE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-(?P<default>[^}]*)\}")
WSGI_APP = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):(?P<attr>[A-Za-z_]\w*)$")


# --- reading the files -------------------------------------------------------------------
def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def argv_of(command: str | list | None) -> list[str]:
    if command is None:
        return []
    return shlex.split(command) if isinstance(command, str) else [str(arg) for arg in command]


def environment_of(block: dict) -> dict[str, str]:
    environment = block.get("environment") or {}
    if isinstance(environment, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def app_services(compose: dict) -> dict[str, dict]:
    """Services that run our image: built here, or using the image a built service makes."""
    services = compose["services"]
    our_images = {s["image"] for s in services.values() if "build" in s and "image" in s}
    return {
        name: service
        for name, service in services.items()
        if "build" in service or service.get("image") in our_images
    }


def celery_subcommand(argv: list[str]) -> str | None:
    """The celery subcommand (worker, beat, …): the first word that is not an option."""
    args = iter(argv[1:])
    for arg in args:
        if arg in {"-A", "--app", "-b", "--broker", "--workdir", "--config"}:
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def celery_app_name(argv: list[str]) -> str | None:
    for position, arg in enumerate(argv):
        if arg in {"-A", "--app"} and position + 1 < len(argv):
            return argv[position + 1]
        if arg.startswith("--app="):
            return arg.split("=", 1)[1]
    return None


def settings_source() -> str:
    return "\n".join(path.read_text() for path in sorted(SETTINGS_DIR.glob("*.py")))


def dockerfile_stages() -> list[list[str]]:
    """The Dockerfile's instructions per stage, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    stages: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


# --- the checks: each returns what is wrong ----------------------------------------------
def entry_point_problems(argv: list[str]) -> list[str]:
    """The command starts something that exists in our code."""
    if not argv:
        return ["no command: the image's default would run, say which"]
    program = Path(argv[0]).name
    if program == "gunicorn":
        apps = [arg for arg in argv[1:] if WSGI_APP.match(arg)]
        if len(apps) != 1:
            return [f"gunicorn needs exactly one MODULE:ATTRIBUTE, found {apps}"]
        match = WSGI_APP.match(apps[0])
        try:
            module = import_module(match["module"])
        except ImportError as error:
            return [f"gunicorn: cannot import {match['module']}: {error}"]
        if not callable(getattr(module, match["attr"], None)):
            return [f"gunicorn: {match['module']} has no callable {match['attr']}"]
        return []
    if program == "celery":
        problems = []
        app_name = celery_app_name(argv)
        if app_name != "config":
            return [f"celery -A must name config (config.celery:app), not {app_name!r}"]
        # The same lookup `celery -A config` does.
        app = find_app(app_name)
        if not isinstance(app, Celery) or app is not import_module("config.celery").app:
            problems.append(f"celery -A {app_name} does not find config.celery.app")
        subcommand = celery_subcommand(argv)
        if subcommand not in {"worker", "beat"}:
            problems.append(f"celery subcommand must be worker or beat, not {subcommand!r}")
        if subcommand == "worker" and ({"-B", "--beat"} & set(argv)):
            problems.append("a worker with an embedded beat (-B) is a second scheduler")
        return problems
    if program.startswith("python") and argv[1:2] == ["manage.py"]:
        if len(argv) < 3:
            return ["python manage.py without a command"]
        if argv[2] not in get_commands():
            return [f"manage.py has no command {argv[2]!r}"]
        return []
    return [f"unknown entry point {argv[0]!r}"]


def _redis_services(compose: dict) -> dict[str, dict]:
    return {
        name: s
        for name, s in compose["services"].items()
        if str(s.get("image", "")).split(":")[0].split("/")[-1] == "redis"
    }


def _options(service: dict) -> dict:
    argv = argv_of(service.get("command"))
    return dict(zip(argv[1::2], argv[2::2], strict=False)) if argv else {}


def _host_of(url: str) -> str:
    return url.split("://", 1)[1].split(":", 1)[0].split("/", 1)[0]


def redis_problems(compose: dict) -> list[str]:
    """The Redis that REDIS_URL names holds the task queue: it must survive a restart and
    never evict a key."""
    queue_host = _host_of(compose["x-laurel-env"].get("REDIS_URL", "redis://redis:6379/0"))
    redis = {n: s for n, s in _redis_services(compose).items() if n == queue_host}
    if not redis:
        return ["no redis service"]
    problems = []
    for name, service in redis.items():
        options = _options(service)
        if options.get("--appendonly") != "yes":
            problems.append(f"{name}: not started with --appendonly yes")
        if options.get("--maxmemory-policy") != "noeviction":
            problems.append(f"{name}: not started with --maxmemory-policy noeviction")
        if not any(str(v).split(":")[1:2] == ["/data"] for v in service.get("volumes", [])):
            problems.append(f"{name}: /data is not on a volume, the queue would not survive")
    return problems


def cache_problems(compose: dict) -> list[str]:
    """The cache (LAUREL_CACHE_URL) is a Redis of its own: bounded, evicting the least used
    keys, keeping nothing on disk (an ended session must not come back after a restart,
    core/cache.py); never the queue's server."""
    url = compose["x-laurel-env"].get("LAUREL_CACHE_URL", "")
    if not url.startswith("redis://"):
        return ["LAUREL_CACHE_URL does not name a Redis"]
    host = _host_of(url)
    service = _redis_services(compose).get(host)
    if service is None:
        return [f"no redis service {host!r} for the cache"]
    if host == _host_of(compose["x-laurel-env"].get("REDIS_URL", "")):
        return ["the cache shares the queue's Redis"]
    options = _options(service)
    problems = []
    if options.get("--save") != "" or options.get("--appendonly") != "no":
        problems.append(f"{host}: keeps data on disk (want --save '' --appendonly no)")
    if options.get("--maxmemory-policy") != "allkeys-lru" or "--maxmemory" not in options:
        problems.append(f"{host}: not bounded with --maxmemory and allkeys-lru")
    return problems


def beat_problems(compose: dict) -> list[str]:
    beats = {
        name: s
        for name, s in app_services(compose).items()
        if argv_of(s.get("command"))[:1] == ["celery"]
        and celery_subcommand(argv_of(s.get("command"))) == "beat"
    }
    if len(beats) != 1:
        return [f"exactly one beat service wanted, found {sorted(beats)}"]
    problems = []
    for name, service in beats.items():
        replicas = (service.get("deploy") or {}).get("replicas", 1)
        if int(replicas) > 1 or int(service.get("scale", 1)) > 1:
            problems.append(f"{name}: more than one beat replica sends every task twice")
    return problems


def environment_blocks(compose: dict) -> dict[str, dict[str, str]]:
    """Every environment in the file: the x- extensions and each service's."""
    blocks = {
        key: {k: "" if v is None else str(v) for k, v in value.items()}
        for key, value in compose.items()
        if key.startswith("x-") and key.endswith("-env") and isinstance(value, dict)
    }
    for name, service in compose["services"].items():
        blocks[name] = environment_of(service)
    return blocks


def secret_problems(compose: dict) -> list[str]:
    problems = []
    for where, environment in environment_blocks(compose).items():
        for key, value in environment.items():
            if SECRET_NAME.search(key) and not SECRET_INTERPOLATION.fullmatch(value):
                problems.append(f"{where}: {key} is not taken from the environment: {value!r}")
            # A URL's password, also in a default such as ${EMAIL_URL:-smtp://u:pw@host}.
            for url in [value, *(m["default"] for m in DEFAULT_VALUE.finditer(value))]:
                userinfo = URL_USERINFO.match(url)
                if userinfo and ":" in userinfo["userinfo"]:
                    password = userinfo["userinfo"].split(":", 1)[1]
                    if not SECRET_INTERPOLATION.fullmatch(password):
                        problems.append(f"{where}: {key} holds a literal password")
            if key == "SECRET_KEY" and not REQUIRED_INTERPOLATION.fullmatch(value):
                problems.append(f"{where}: SECRET_KEY must be required, as ${{SECRET_KEY:?…}}")
    return problems


def unread_setting_problems(compose: dict, source: str) -> list[str]:
    problems = []
    for where, environment in environment_blocks(compose).items():
        for key in environment:
            if not key.startswith(SETTINGS_PREFIXES) or key in READ_BY_DJANGO:
                continue
            if not re.search(rf"[\"']{re.escape(key)}[\"']", source):
                problems.append(f"{where}: {key} is passed but config/settings never reads it")
    return problems


# --- the real files ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


def test_compose_runs_web_migrate_worker_and_beat_from_our_image(compose):
    services = app_services(compose)

    assert set(services) == {"web", "migrate", "worker", "beat"}
    assert len({s["image"] for s in services.values()}) == 1


@pytest.mark.parametrize("service", ["web", "migrate", "worker", "beat"])
def test_service_command_is_a_real_entry_point(compose, service):
    argv = argv_of(compose["services"][service].get("command"))

    assert entry_point_problems(argv) == []


def test_each_service_runs_the_expected_program(compose):
    services = compose["services"]

    assert argv_of(services["web"]["command"])[:2] == ["gunicorn", "config.wsgi:application"]
    assert argv_of(services["migrate"]["command"]) == [
        "python",
        "manage.py",
        "migrate",
        "--no-input",
    ]
    assert celery_subcommand(argv_of(services["worker"]["command"])) == "worker"
    assert celery_subcommand(argv_of(services["beat"]["command"])) == "beat"


def test_dockerfile_default_command_is_gunicorn_on_our_wsgi_app():
    final = dockerfile_stages()[-1]
    cmd = [line for line in final if line.upper().startswith("CMD ")]

    assert len(cmd) == 1
    argv = json.loads(cmd[0][4:])
    assert argv[:2] == ["gunicorn", "config.wsgi:application"]
    assert entry_point_problems(argv) == []


def test_image_runs_as_an_unprivileged_user():
    final = dockerfile_stages()[-1]
    users = [line.split()[1] for line in final if line.upper().startswith("USER ")]

    assert users, "the final stage sets no USER, so it runs as root"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_image_collects_static_files_at_build():
    build_steps = " ".join(line for stage in dockerfile_stages() for line in stage)

    assert "manage.py collectstatic --no-input" in build_steps


def test_local_secrets_and_data_stay_out_of_the_image():
    ignored = {line.strip() for line in DOCKERIGNORE.read_text().splitlines()}

    assert {".env", "var", ".venv", ".git"} <= ignored


def test_redis_keeps_the_queue(compose):
    assert redis_problems(compose) == []


def test_the_cache_is_a_redis_of_its_own_that_forgets(compose):
    assert cache_problems(compose) == []


def test_cache_check_rejects_a_persistent_or_shared_cache(compose):
    persistent = copy.deepcopy(compose)
    persistent["services"]["cache"]["command"] = [
        *("redis-server", "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru")
    ]
    shared = copy.deepcopy(compose)
    shared["x-laurel-env"]["LAUREL_CACHE_URL"] = "redis://redis:6379/2"

    assert cache_problems(persistent) == [
        "cache: keeps data on disk (want --save '' --appendonly no)"
    ]
    assert cache_problems(shared) == ["the cache shares the queue's Redis"]


def test_there_is_exactly_one_beat(compose):
    assert beat_problems(compose) == []


def test_no_secret_is_written_in_the_compose_file(compose):
    assert secret_problems(compose) == []


def test_every_setting_passed_is_read_by_config_settings(compose):
    assert unread_setting_problems(compose, settings_source()) == []


def test_app_services_share_the_production_environment(compose):
    shared = compose["x-laurel-env"]

    assert shared["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    import_module(shared["DJANGO_SETTINGS_MODULE"].rsplit(".", 1)[0])
    for name, service in app_services(compose).items():
        environment = environment_of(service)
        assert {k: environment.get(k) for k in shared} == shared, name


def test_production_requirements_are_passed(compose):
    shared = compose["x-laurel-env"]

    # production.py refuses to start without these.
    for name in (
        "SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "LAUREL_SITE_URL",
        "LAUREL_IMPRINT_URL",
        "LAUREL_PRIVACY_URL",
    ):
        assert REQUIRED_INTERPOLATION.fullmatch(shared[name]), name
    assert shared["DATABASE_URL"].startswith("postgres://")
    assert shared["REDIS_URL"].startswith("redis://redis:")
    assert shared["AWS_STORAGE_BUCKET_NAME"]


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_code_starts_only_after_migrations_succeeded(compose, service):
    depends_on = compose["services"][service]["depends_on"]

    assert depends_on["migrate"] == {"condition": "service_completed_successfully"}
    assert compose["services"]["migrate"]["restart"] == "no"


def test_web_healthcheck_asks_the_health_view(compose):
    test = compose["services"]["web"]["healthcheck"]["test"]
    script = test[-1]

    assert test[:3] == ["CMD", "python", "-c"]
    compile(script, "healthcheck", "exec")
    (url,) = re.findall(r"http://127\.0\.0\.1:8000(/[^\"']*)", script)
    assert resolve(url).func.__module__ == "config.health"
    assert resolve(url).url_name == "healthz"


def test_bucket_is_created_private(compose):
    script = " ".join(argv_of(compose["services"]["createbucket"]["command"]))

    assert "mc mb --ignore-existing" in script
    assert 'mc anonymous set none "store/$$bucket"' in script
    for service in ("web", "worker", "beat"):
        assert compose["services"][service]["depends_on"]["createbucket"] == {
            "condition": "service_completed_successfully"
        }


# --- the checks find what they look for --------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        ["gunicorn", "config.wsgi:app", "--bind", "0.0.0.0:8000"],
        ["gunicorn", "config.nowhere:application"],
        ["gunicorn", "--bind", "0.0.0.0:8000"],
        ["celery", "-A", "laurel", "worker"],
        ["celery", "-A", "config", "flower"],
        ["celery", "-A", "config", "worker", "-B"],
        ["python", "manage.py", "migrate_everything"],
        ["uwsgi", "--module", "config.wsgi"],
        [],
    ],
)
def test_entry_point_check_rejects_what_does_not_exist(argv):
    assert entry_point_problems(argv) != []


def test_redis_check_rejects_an_evicting_or_volatile_redis(compose):
    evicting = copy.deepcopy(compose)
    evicting["services"]["redis"]["command"] = ["redis-server", "--appendonly", "yes"]
    volatile = copy.deepcopy(compose)
    volatile["services"]["redis"]["command"] = "redis-server --maxmemory-policy noeviction"
    volatile["services"]["redis"].pop("volumes")

    assert redis_problems(evicting) == ["redis: not started with --maxmemory-policy noeviction"]
    assert redis_problems(volatile) == [
        "redis: not started with --appendonly yes",
        "redis: /data is not on a volume, the queue would not survive",
    ]


def test_beat_check_rejects_two_schedulers(compose):
    scaled = copy.deepcopy(compose)
    scaled["services"]["beat"]["deploy"]["replicas"] = 2
    doubled = copy.deepcopy(compose)
    doubled["services"]["beat2"] = copy.deepcopy(doubled["services"]["beat"])

    assert beat_problems(scaled) == ["beat: more than one beat replica sends every task twice"]
    assert beat_problems(doubled) == ["exactly one beat service wanted, found ['beat', 'beat2']"]


def test_secret_check_rejects_literal_secrets(compose):
    key = "k" * 60
    leaky = copy.deepcopy(compose)
    leaky["x-laurel-env"]["SECRET_KEY"] = "${SECRET_KEY:-" + key + "}"
    leaky["x-laurel-env"]["DATABASE_URL"] = "postgres://laurel:hunter2@postgres:5432/laurel"
    leaky["x-laurel-env"]["EMAIL_URL"] = "${EMAIL_URL:-smtp://laurel:hunter2@mail:25}"
    leaky["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"] = "hunter2"

    problems = secret_problems(leaky)

    assert [p for p in problems if p.startswith(("x-laurel-env:", "postgres:"))] == [
        f"x-laurel-env: SECRET_KEY is not taken from the environment: '${{SECRET_KEY:-{key}}}'",
        "x-laurel-env: SECRET_KEY must be required, as ${SECRET_KEY:?…}",
        "x-laurel-env: DATABASE_URL holds a literal password",
        "x-laurel-env: EMAIL_URL holds a literal password",
        "postgres: POSTGRES_PASSWORD is not taken from the environment: 'hunter2'",
    ]
    # The services that share the environment are named too.
    assert "worker: DATABASE_URL holds a literal password" in problems


def test_settings_check_rejects_a_variable_nobody_reads(compose):
    typo = copy.deepcopy(compose)
    typo["x-laurel-env"]["DJANGO_ALLOWED_HOST"] = "awards.example.org"
    typo["services"]["web"]["environment"]["CELERY_CONCURENCY"] = "4"

    problems = unread_setting_problems(typo, settings_source())

    assert [p for p in problems if p.startswith("web:")] == [
        "web: CELERY_CONCURENCY is passed but config/settings never reads it"
    ]
    assert "x-laurel-env: DJANGO_ALLOWED_HOST is passed but config/settings never reads it" in (
        problems
    )
