#!/usr/bin/env python3
"""Laurel's single entry point for a developer machine. Needs only Python 3.11.

    python3 dev.py run    set everything up (virtualenv, install, migrate, demo data) and run
                          the web server on http://127.0.0.1:8000 with a Celery worker and beat
    python3 dev.py test   set up, then run every check and the whole test suite

The virtualenv lives in .venv; it is reinstalled when pyproject.toml changes.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PY = BIN / "python"
STAMP = VENV / ".laurel-installed"


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


def cmd_run() -> None:
    setup()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    run(PY, "manage.py", "migrate", "--no-input", env=env)
    run(PY, "manage.py", "seed_demo", env=env)
    run(PY, "manage.py", "seed_jury_demo", env=env)
    run(PY, "manage.py", "seed_results_demo", env=env)
    print("\nLaurel runs on http://127.0.0.1:8000 (Ctrl-C stops web, worker and beat)\n")
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
    }
    run(PY, "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=deploy_env)
    run(PY, "-m", "pytest", *pytest_args, env=env)


def main() -> None:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "run":
        cmd_run()
    elif command == "test":
        cmd_test(rest)
    elif command == "setup":
        setup()
    else:
        print(__doc__)
        sys.exit(0 if command == "help" else 2)


if __name__ == "__main__":
    main()
