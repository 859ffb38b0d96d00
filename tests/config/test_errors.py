"""Every public exception the project defines derives from the one base, ``CchcError``.

The classes are found by importing every module of the project's packages, so a new
exception class written without the base fails here, wherever it is added. Private helper
exceptions (a leading underscore, e.g. the JSON reader's ``_DuplicateKey``) only carry
control flow inside their module and never reach a caller: they are left out.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

from config.errors import CchcError

PACKAGES = ("config", "tasks", "connectors", "flows", "deployments", "cli")
# scripts that only Alembic runs (they need its migration context to import); they define
# no classes
ALEMBIC_SCRIPTS = "connectors.migrations."

# each class that had a builtin base other than Exception keeps it: callers catching
# ValueError or RuntimeError see no change
BUILTIN_BASES = {
    "config.portal_api.PortalApiConfigError": ValueError,
    "config.registry.RegistryError": ValueError,
    "connectors.workspace_lock.WorkspaceBusy": RuntimeError,
    "flows.period_run.PeriodBusy": RuntimeError,
    "tasks.model.periods.PeriodError": ValueError,
    "tasks.model.closed_periods.PeriodNotClosed": ValueError,
    "tasks.sheets.cells.CellError": ValueError,
    "tasks.intake.template.TemplateRefused": ValueError,
    "tasks.portal.index766.OverrideError": ValueError,
}


def _modules() -> list[ModuleType]:
    found = []
    for name in PACKAGES:
        package = importlib.import_module(name)
        found.append(package)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if info.name.startswith(ALEMBIC_SCRIPTS):
                continue
            found.append(importlib.import_module(info.name))
    return found


def _public_exceptions() -> dict[str, type[BaseException]]:
    classes: dict[str, type[BaseException]] = {}
    for module in _modules():
        for name, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, BaseException)
                    and value.__module__ == module.__name__ and not name.startswith("_")):
                classes[f"{module.__name__}.{name}"] = value
    return classes


EXCEPTIONS = _public_exceptions()


def test_the_walk_finds_the_known_exceptions() -> None:
    """A guard on the walk itself: if it found nothing, every check below would pass."""
    assert len(EXCEPTIONS) >= 20
    for name in ("tasks.model.problems.RejectedInput", "connectors.db_session.DatabaseNotWritable",
                 "connectors.portal_api.PortalUnavailable", "flows.period_run.PeriodBusy",
                 "tasks.intake.reader.UnreadableFile"):
        assert name in EXCEPTIONS


@pytest.mark.parametrize("name", sorted(EXCEPTIONS))
def test_every_public_exception_derives_from_the_base(name: str) -> None:
    assert issubclass(EXCEPTIONS[name], CchcError), f"{name} does not derive from CchcError"


@pytest.mark.parametrize("name", sorted(BUILTIN_BASES))
def test_builtin_bases_are_kept(name: str) -> None:
    assert issubclass(EXCEPTIONS[name], BUILTIN_BASES[name])


def test_the_base_is_an_ordinary_exception() -> None:
    """``except Exception`` (Prefect, the intake's last resort) still catches every one."""
    assert issubclass(CchcError, Exception)
    assert not issubclass(CchcError, (ValueError, RuntimeError))
