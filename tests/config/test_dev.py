"""``python3 dev.py run --port N``: the web server listens on N (Procfile.dev reads
LAUREL_PORT) and links in mails point there (LAUREL_SITE_URL), unless the site's address
is set already."""

import importlib.util
import os
import subprocess
import sys

import pytest

from tests.services import ROOT


@pytest.fixture(scope="module")
def dev():
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def web_command() -> str:
    [line] = [
        line for line in (ROOT / "Procfile.dev").read_text().splitlines() if line.startswith("web:")
    ]
    return line.removeprefix("web:").strip()


def shell_expands(command: str, env: dict[str, str]) -> str:
    """``command`` as the shell that honcho starts it in reads it."""
    result = subprocess.run(
        ["/bin/sh", "-c", f"echo {command}"], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_the_port_is_8000_unless_given(dev):
    assert dev.run_port([]) == 8000
    assert dev.run_port(["--port", "8123"]) == 8123
    assert dev.run_port(["--port=9000"]) == 9000


@pytest.mark.parametrize("args", [["--port", "0"], ["--port", "70000"], ["--port", "x"]])
def test_a_port_that_cannot_be_is_refused(dev, args, capsys):
    with pytest.raises(SystemExit) as refused:
        dev.run_port(args)

    assert refused.value.code == 2
    assert "--port" in capsys.readouterr().err


def test_the_environment_names_the_port_and_the_site_address(dev):
    env = dev.run_env(8123, {"PATH": "/usr/bin", "HOME": "/home/dev"})

    assert env["LAUREL_PORT"] == "8123"
    assert env["LAUREL_SITE_URL"] == "http://127.0.0.1:8123"
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.local"
    assert env["PATH"] == f"{ROOT / '.venv' / 'bin'}{os.pathsep}/usr/bin"
    assert env["HOME"] == "/home/dev"


def test_a_site_address_already_set_is_kept(dev):
    given = {"LAUREL_SITE_URL": "https://laurel.test", "DJANGO_SETTINGS_MODULE": "x.y"}

    env = dev.run_env(8123, given)

    assert env["LAUREL_SITE_URL"] == "https://laurel.test"
    assert env["DJANGO_SETTINGS_MODULE"] == "x.y"
    assert dev.run_env(8123, {"LAUREL_SITE_URL": ""})["LAUREL_SITE_URL"] == (
        "http://127.0.0.1:8123"
    )


def test_procfile_runs_the_web_server_on_that_port(dev):
    command = web_command()

    given = shell_expands(command, dev.run_env(8123, {"PATH": os.environ["PATH"]}))
    default = shell_expands(command, {"PATH": os.environ["PATH"]})

    assert "runserver 127.0.0.1:8123 " in given
    assert "runserver 127.0.0.1:8000 " in default


def test_honcho_keeps_the_port_it_is_given(dev):
    """honcho sets PORT for every process (5000, 5100, …); the web server's is LAUREL_PORT,
    which it leaves alone."""
    from honcho.environ import expand_processes

    [web, *_] = expand_processes({"web": web_command(), "worker": "true"}, port=5000)
    env = {**dev.run_env(8123, {"PATH": os.environ["PATH"]}), **web.env}

    assert env["PORT"] == "5000"
    assert "runserver 127.0.0.1:8123 " in shell_expands(web.cmd, env)


def test_settings_read_the_site_address_dev_py_sets(dev, tmp_path):
    env = {
        **dev.run_env(8123, {"PATH": os.environ.get("PATH", "")}),
        "LAUREL_VAR_DIR": str(tmp_path),
    }
    code = "from django.conf import settings; print(settings.SITE_URL)"

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.stdout.strip() == "http://127.0.0.1:8123", result.stderr
