"""The plausibility checks' settings as data (``config/data/plausibility.yaml``): the
robust test's threshold and minimum of points, and each figure's allowed range.

Loaded and validated when a run starts (:func:`load_plausibility`); a bad file stops the
run with one Vietnamese sentence naming the file, never a half-applied check. What the
checks do with these values: :mod:`tasks.indicators.plausibility`, ``docs/plausibility.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from config.registry import RegistryError
from config.yaml_files import read_yaml

PLAUSIBILITY_FILE = "plausibility.yaml"

# The portal counts and rates checked per unit and month, with their Vietnamese names
# (the ids the YAML's ``bounds.figures`` may name besides the registry's metric codes).
PORTAL_FIGURES: dict[str, str] = {
    "portal_received": "hồ sơ tiếp nhận",
    "portal_received_online": "hồ sơ tiếp nhận trực tuyến",
    "portal_resolved": "hồ sơ đã giải quyết",
    "portal_resolved_on_time": "hồ sơ giải quyết đúng hạn",
    "portal_in_progress_overdue": "hồ sơ đang giải quyết quá hạn",
    "portal_online_rate": "tỷ lệ hồ sơ tiếp nhận trực tuyến (%)",
    "portal_on_time_rate": "tỷ lệ hồ sơ giải quyết đúng hạn (%)",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bounds(_Strict):
    """The range a figure may take; ``None``: no limit on that side."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"giới hạn dưới {self.min} lớn hơn giới hạn trên {self.max}")
        return self

    def holds(self, value: float) -> bool:
        return ((self.min is None or value >= self.min)
                and (self.max is None or value <= self.max))


class RobustTest(_Strict):
    """The median/MAD test: a modified z-score above ``threshold`` is odd; fewer than
    ``min_points`` values to compare with: no test; a difference from the median below
    ``min_difference`` is never odd (small counts)."""

    threshold: float = Field(default=3.5, gt=0)
    min_points: int = Field(default=4, ge=3)
    history_months: int = Field(default=12, ge=3, le=60)
    min_difference: float = Field(default=0, ge=0)
    # The figures compared with the other units of their kind: rates, whose value does not
    # grow with a unit's size. A count (dossiers, inspections) is compared with the unit's
    # own history only: a large commune's 35 overdue dossiers against small ones' 3 is size,
    # not an error.
    peer_figures: tuple[str, ...] = ()


class BoundsTable(_Strict):
    default: Bounds = Bounds()
    figures: dict[str, Bounds] = Field(default_factory=dict)


class PlausibilityConfig(_Strict):
    robust: RobustTest = RobustTest()
    bounds: BoundsTable = BoundsTable()

    def bounds_of(self, figure: str) -> Bounds:
        """The figure's own range, else the default one."""
        return self.bounds.figures.get(figure, self.bounds.default)

    def unknown_figures(self, metric_codes: Iterable[str]) -> list[str]:
        """Figure ids the bounds name that are neither a portal figure nor one of
        ``metric_codes`` (a misspelt id would silently check nothing)."""
        known = set(PORTAL_FIGURES) | set(metric_codes)
        named = set(self.bounds.figures) | set(self.robust.peer_figures)
        return sorted(f for f in named if f not in known)


def load_plausibility(directory: Path, metric_codes: Iterable[str] | None = None
                      ) -> PlausibilityConfig:
    """Load ``plausibility.yaml`` from ``directory``; with ``metric_codes`` (the registry's),
    a figure id that is not known is refused too. Raises :class:`RegistryError` in
    Vietnamese."""
    path = directory / PLAUSIBILITY_FILE
    try:
        config = PlausibilityConfig.model_validate(read_yaml(path) or {})
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'tệp'}: "
                            f"{_message_vi(e)}" for e in exc.errors())
        raise RegistryError(f"cấu hình kiểm tra tính hợp lý {path} không hợp lệ: "
                            f"{details}") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise RegistryError(f"không đọc được cấu hình kiểm tra tính hợp lý {path}: "
                            f"{exc}") from exc
    if metric_codes is not None and (unknown := config.unknown_figures(metric_codes)):
        raise RegistryError(f"cấu hình kiểm tra tính hợp lý {path} ghi giới hạn cho mã số "
                            f"liệu không có trong danh mục: {', '.join(unknown)}")
    return config


_PYDANTIC_VI = {
    "extra_forbidden": "mục không được phép",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "float_parsing": "phải là một số",
    "int_parsing": "phải là một số nguyên",
    "int_from_float": "phải là một số nguyên",
    "model_type": "phải là một bảng (mục: giá trị)",
    "dict_type": "phải là một bảng (mã: giới hạn)",
}


def _message_vi(error: object) -> str:
    """A pydantic error in Vietnamese (our own validators already speak it)."""
    assert isinstance(error, dict)
    kind = str(error.get("type", ""))
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    template = _PYDANTIC_VI.get(kind)
    if template is None:
        return f"giá trị không hợp lệ ({error.get('msg', '')})"
    return template.format(**(error.get("ctx") or {}))
