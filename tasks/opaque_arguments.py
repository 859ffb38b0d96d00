"""Task calls whose arguments Prefect passes through untouched.

Before a task runs, Prefect walks every argument of the call, to find earlier tasks'
futures and results (to wait for them and draw the task graph), and rebuilds each
container and dataclass it passes through. The project's task arguments are domain
objects (the registry, a period's inputs, the report's content) that never hold a
future; walking them cost 30-70 ms a call per large argument (74 ms against 15 ms a call
with the registry, measured on the 2-core benchmark machine), once per dropped file and
once per report step. ``prefect.utilities.annotations.quote`` tells Prefect not to walk an
argument; the task's function still receives the value itself.

The price: the UI's task graph draws no edge from the task that produced an argument to
the task that uses it (the runs still appear in order on the timeline).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar, cast

from prefect import Task
from prefect.client.schemas.objects import State
from prefect.utilities.annotations import quote

P = ParamSpec("P")
R = TypeVar("R")


class OpaqueCall(Generic[P, R]):
    """A task called with its arguments quoted: ``step(...)`` runs the task and returns
    its result, ``step.state(...)`` returns its final state instead (``return_state``)."""

    def __init__(self, task: Task[P, R]) -> None:
        self.task = task

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        run = cast(Callable[..., R], self.task)
        return run(*map(quote, args), **{k: quote(v) for k, v in kwargs.items()})

    def state(self, *args: P.args, **kwargs: P.kwargs) -> State[R]:
        run = cast(Callable[..., State[R]], self.task)
        return run(*map(quote, args), return_state=True,
                   **{k: quote(v) for k, v in kwargs.items()})

    def with_options(self, **options: Any) -> OpaqueCall[P, R]:
        return OpaqueCall(self.task.with_options(**options))

    @property
    def fn(self) -> Callable[P, R]:
        """The plain function (for tests)."""
        return self.task.fn


def opaque_arguments(task: Task[P, R]) -> OpaqueCall[P, R]:
    """Decorate a ``@task``: its calls pass every argument quoted (see the module)."""
    return OpaqueCall(task)
