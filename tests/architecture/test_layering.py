"""The layering of docs/architecture.md holds, and the checks that guard it can fail.

``lint-imports`` (import-linter) checks the contracts in ``pyproject.toml`` as part of the
test command; these tests make sure that those contracts catch a back-edge, and check the
conventions import-linter cannot see."""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "core",
    "accounts",
    "awards",
    "submissions",
    "notifications",
    "jury",
    "results",
    "certificates",
    "webhooks",
    "api",
]


def contracts() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def lint_imports(cwd: Path, config: Path | None = None) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("lint-imports"))]
    if config is not None:
        command.append(str(config))
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_project_keeps_its_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_layers_are_the_documented_order():
    layers = contracts()["contracts"][0]["layers"]
    assert layers == [
        "config",
        "privacy",
        "api",
        "webhooks",
        "certificates",
        "results",
        "jury",
        "submissions",
        "notifications",
        "awards",
        "accounts",
        "core",
    ]
    documented = (ROOT / "docs" / "architecture.md").read_text()
    assert (
        "privacy → api → webhooks → certificates → results → jury → submissions → "
        "notifications → awards → accounts → core" in documented
    )


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("jury", "results"),
        ("results", "privacy"),
        ("awards", "jury"),
        ("core", "awards"),
        ("results.engine", "django"),
    ],
)
def test_the_contracts_catch_a_back_edge(tmp_path, importer, imported):
    """The same contracts, on a copy of the package names with one planted import against
    the direction, are broken."""
    packages = set(contracts()["root_packages"])
    forbidden = set(contracts()["contracts"][1]["forbidden_modules"])
    for package in packages | forbidden | {"results.engine"}:
        folder = tmp_path.joinpath(*package.split("."))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").write_text("")
    module = tmp_path.joinpath(*importer.split(".")) / "planted.py"
    module.write_text(f"import {imported}\n")
    config = tmp_path / "contracts.toml"
    config.write_text((ROOT / "pyproject.toml").read_text())
    result = lint_imports(tmp_path, config)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert f"{importer}.planted -> {imported}" in result.stdout


def _module_level_imports(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
            names.update("." * node.level + a.name for a in node.names if not node.module)
    return names


@pytest.mark.parametrize("app", [a for a in APPS if (ROOT / a / "tasks.py").exists()])
def test_tasks_import_their_services_lazily(app):
    """Services import tasks (to enqueue them); tasks import services inside the task, so
    the two never import each other when a module loads (HackSoft's and pretalx's rule)."""
    tree = ast.parse((ROOT / app / "tasks.py").read_text())
    eager = {
        name
        for name in _module_level_imports(tree)
        if name.lstrip(".").split(".")[0] in {"services", "bulk"} or name in {"."}
    }
    eager |= {
        f"{node.module}.{alias.name}"
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.level and not node.module
        for alias in node.names
        if alias.name in {"services", "bulk"}
    }
    assert not eager, f"{app}/tasks.py imports {sorted(eager)} when it loads"
