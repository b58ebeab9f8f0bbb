#!/usr/bin/env python3
"""Laurel's single entry point for a developer machine. Needs only Python 3.11.

    python3 dev.py run [--port N]
                          set everything up (virtualenv, install, migrate, demo data) and run
                          the web server on http://127.0.0.1:N (default 8000) with a Celery
                          worker and beat; links in mails point there unless LAUREL_SITE_URL
                          is set
    python3 dev.py test   set up, then run every check and the whole test suite
    python3 dev.py setup  only set up: create .venv and install Laurel into it
    python3 dev.py supervise -- COMMAND …
                          run COMMAND and start it again whenever it fails (Procfile.dev
                          runs the Celery worker and beat this way)

The virtualenv lives in .venv; it is reinstalled when pyproject.toml changes.
"""

import argparse
import hashlib
import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PY = BIN / "python"
STAMP = VENV / ".laurel-installed"
DEFAULT_PORT = 8000


def run(*args: str | Path, env: dict | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def setup() -> None:
    if sys.version_info[:2] != (3, 11):
        print(f"Laurel needs Python 3.11; this is {sys.version.split()[0]}.", file=sys.stderr)
        sys.exit(2)
    if not PY.exists():
        print("+ creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(PY, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
        STAMP.write_text(wanted)


def run_port(args: list[str]) -> int:
    """The port ``dev.py run`` was given (``--port N``), else 8000."""
    parser = argparse.ArgumentParser(prog="dev.py run", description="Set up and run Laurel.")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"the web server's port on 127.0.0.1 (default {DEFAULT_PORT})",
    )
    port = parser.parse_args(args).port
    if not 1 <= port <= 65535:
        parser.error(f"--port must be between 1 and 65535, not {port}")
    return port


def run_env(port: int, environ: dict[str, str]) -> dict[str, str]:
    """The environment ``dev.py run`` starts everything with: the virtualenv first on PATH,
    the local settings unless others are chosen, the web server's port (``LAUREL_PORT``,
    which Procfile.dev gives runserver; not ``PORT``, which honcho sets itself) and the
    address links in mails start with (``LAUREL_SITE_URL``), unless it is set already."""
    env = {**environ, "PATH": f"{BIN}{os.pathsep}{environ.get('PATH', '')}"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env["LAUREL_PORT"] = str(port)
    if not env.get("LAUREL_SITE_URL"):
        env["LAUREL_SITE_URL"] = f"http://127.0.0.1:{port}"
    return env


def cmd_run(args: list[str]) -> None:
    port = run_port(args)
    setup()
    env = run_env(port, dict(os.environ))
    run(PY, "manage.py", "migrate", "--no-input", env=env)
    run(PY, "manage.py", "seed_demo", env=env)
    run(PY, "manage.py", "seed_jury_demo", env=env)
    run(PY, "manage.py", "seed_results_demo", env=env)
    run(PY, "manage.py", "seed_certificates_demo", env=env)
    print(
        f"\nLaurel runs on http://127.0.0.1:{port} (Ctrl-C stops web, worker and beat); "
        f"links in mails start with {env['LAUREL_SITE_URL']}\n"
    )
    os.execve(str(BIN / "honcho"), ["honcho", "-f", "Procfile.dev", "start"], env)


def cmd_test(pytest_args: list[str]) -> None:
    setup()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "lint-imports", env=env)  # the layering contract (pyproject.toml)
    run(PY, "manage.py", "makemigrations", "--check", "--dry-run", env=env)
    deploy_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "deploy-check-" + "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "laurel.example",
        "LAUREL_SITE_URL": "https://laurel.example",
        "LAUREL_IMPRINT_URL": "https://laurel.example/imprint",
        "LAUREL_PRIVACY_URL": "https://laurel.example/privacy",
    }
    run(PY, "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=deploy_env)
    run(PY, "-m", "pytest", *test_processes(pytest_args), *pytest_args, env=env)


def test_processes(pytest_args: list[str]) -> list[str]:
    """pytest-xdist options unless the caller chose: the suite runs in LAUREL_TEST_PROCESSES
    processes (default 2, the CI machine's cores; much of a test's time is spent waiting for
    a worker, a browser or a mail), whole files per process so that a module's fixtures are
    built once. ``LAUREL_TEST_PROCESSES=0`` runs everything in this process."""
    if any(a == "-n" or a.startswith(("-n", "--numprocesses", "-pno:xdist")) for a in pytest_args):
        return []
    if "no:xdist" in pytest_args:
        return []
    processes = os.environ.get("LAUREL_TEST_PROCESSES", "2")
    if processes in {"0", "1"}:
        return []
    return ["-n", processes, "--dist", "loadfile"]


SUPERVISE_FIRST_DELAY_S = 1.0
SUPERVISE_MAX_DELAY_S = 30.0
SUPERVISE_HEALTHY_RUN_S = 60.0


def cmd_supervise(command: list[str]) -> None:
    """Run ``command``; whenever it fails (exits non-zero or is killed), start it again after
    1 s, 2 s, 4 s … up to 30 s (back to 1 s after a run of a minute). It exiting with 0 ends
    the supervisor too. SIGINT or SIGTERM (Ctrl-C, honcho stopping) is passed on to the
    command as SIGTERM, a second one as SIGKILL, and the command is not started again.

    honcho alone does not restart anything: without this a worker that stops on a broker
    error would stay stopped until someone restarts ``dev.py run``.
    """
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print("usage: dev.py supervise -- COMMAND [ARGUMENT …]", file=sys.stderr)
        sys.exit(2)
    name = os.path.basename(command[0])
    signals: list[int] = []
    child: subprocess.Popen | None = None

    def stop(signum: int, _frame: object) -> None:
        signals.append(signum)
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM if len(signals) == 1 else signal.SIGKILL)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    delay = SUPERVISE_FIRST_DELAY_S
    while not signals:
        started = time.monotonic()
        child = subprocess.Popen(command, cwd=ROOT)
        if signals:  # arrived while it was starting
            child.send_signal(signal.SIGTERM)
        code = child.wait()
        if signals or code == 0:
            break
        if time.monotonic() - started >= SUPERVISE_HEALTHY_RUN_S:
            delay = SUPERVISE_FIRST_DELAY_S
        how = f"was killed by signal {-code}" if code < 0 else f"exited with {code}"
        print(f"supervise: {name} {how}; starting it again in {delay:g} s", flush=True)
        deadline = time.monotonic() + delay
        while not signals and time.monotonic() < deadline:
            time.sleep(0.1)
        delay = min(delay * 2, SUPERVISE_MAX_DELAY_S)
    sys.exit(0)


def main() -> None:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "run":
        cmd_run(rest)
    elif command == "test":
        cmd_test(rest)
    elif command == "supervise":
        cmd_supervise(rest)
    elif command == "setup":
        setup()
    else:
        print(__doc__)
        sys.exit(0 if command == "help" else 2)


if __name__ == "__main__":
    main()
