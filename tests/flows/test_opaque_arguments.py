"""Task calls with quoted arguments (tasks.opaque_arguments): the task receives exactly
what was passed; Prefect neither walks nor resolves it."""

from __future__ import annotations

from prefect import flow, get_client, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.states import Completed

from tasks.opaque_arguments import opaque_arguments


@task(cache_policy=NO_CACHE, task_run_name="xem-{label}")
def _kinds(items: list[object], label: str) -> list[str]:
    return [type(item).__name__ for item in items]


def test_arguments_reach_the_task_untouched_and_the_run_name_still_formats() -> None:
    """A State inside a list is resolved to its result by a plain task call (Prefect
    walked the argument); through opaque_arguments the task gets the State itself."""
    step = opaque_arguments(_kinds)

    @flow
    def both() -> tuple[list[str], list[str], State[list[str]]]:
        items: list[object] = [Completed(data=41)]
        return _kinds(items, "thuong"), step(items, "an"), step.state(items, label="an")

    plain, quoted, state = both()
    assert plain == ["int"]
    assert quoted == ["State"]
    assert state.is_completed() and state.result() == ["State"]
    task_run_id = state.state_details.task_run_id
    assert task_run_id is not None
    with get_client(sync_client=True) as client:
        assert client.read_task_run(task_run_id).name == "xem-an"
