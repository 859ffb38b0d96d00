"""The layers point one way: the import-linter contracts hold, and no domain module
imports the outside world.

``.importlinter`` states the contracts (cli > deployments > flows > connectors > tasks >
config; ``tasks.model`` imports only config; connectors know only ``tasks.model``; the
stages under ``tasks`` import each other without a cycle; Prefect is imported only by the
``tasks/<stage>/steps.py`` modules, flows, deployments and the CLI). A new import that breaks one
fails this test, as it fails ``make lint``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.paths import REPO

ROOT = REPO
OUTSIDE_WORLD = ("connectors", "flows", "cli", "deployments")
PROJECT = ("cli", "config", "connectors", "deployments", "flows", "tasks")


def _imported(path: Path) -> list[tuple[int, str]]:
    """Every module named by an import statement of ``path`` (top level or nested)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _offending(folder: str, allowed: tuple[str, ...]) -> list[str]:
    bad = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for line, module in _imported(path):
            top = module.split(".")[0]
            if top in PROJECT and not module.startswith(allowed):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return bad


def test_import_linter_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), str(ROOT / ".importlinter")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_domain_module_imports_the_outside_world() -> None:
    bad = [line for line in _offending("tasks", ("tasks", "config"))
           if line.split(" imports ")[1].startswith(OUTSIDE_WORLD)]
    assert bad == []


def test_the_domain_model_imports_only_itself_and_config() -> None:
    assert _offending("tasks/model", ("tasks.model", "config")) == []


def test_connectors_import_only_the_domain_model_and_config() -> None:
    assert _offending("connectors", ("connectors", "tasks.model", "config")) == []


def test_config_imports_nothing_of_the_project_but_itself() -> None:
    assert _offending("config", ("config",)) == []
