"""The 766 service index's scoring rules (``config/data/index766.yaml``): groups, criteria
with their maximum points and full-score thresholds, and the dossier file's column names.

Loaded and validated with pydantic when a run starts (:func:`load_index766`).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from config.registry import RegistryError
from config.yaml_files import read_yaml

INDEX766_FILE = "index766.yaml"

# Column names as the national synchronisation uses them.
DOSSIER_COLUMNS: tuple[str, ...] = (
    "MaHoSo", "MaDonVi", "MaTTHC", "KenhThucHien", "NgayTiepNhan", "NgayHenTra",
    "NgayKetThucXuLy", "TrangThaiHoSo", "SoLanBoSung", "SoNgayChoBoSung", "CoPhiLePhi",
    "DuocThanhToanTrucTuyen", "KetQuaGiay", "CoKetQuaDienTu", "DuocSoHoa", "TaiSuDungSoHoa",
    "CoPhanAnh",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Group766(_Strict):
    id: int = Field(ge=1, le=5)
    name: str
    max_points: float = Field(gt=0)


class Criterion766(_Strict):
    id: str = Field(pattern=r"^idx766_[a-z0-9_]+$")
    criterion: str
    name: str
    group: int
    max_points: float = Field(gt=0)
    threshold: float = Field(gt=0, le=100)
    computable: bool = True


class Index766Config(_Strict):
    groups: tuple[Group766, ...]
    criteria: tuple[Criterion766, ...]
    columns: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Index766Config:
        group_ids = [g.id for g in self.groups]
        if len(set(group_ids)) != len(group_ids):
            raise ValueError("một mã nhóm được ghi hai lần")
        total = sum(g.max_points for g in self.groups)
        if abs(total - 100) > 1e-9:
            raise ValueError(f"điểm tối đa của các nhóm cộng lại là {total}, không phải 100")
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError("một mã tiêu chí được ghi hai lần")
        for group in self.groups:
            members = [c for c in self.criteria if c.group == group.id]
            points = sum(c.max_points for c in members)
            if abs(points - group.max_points) > 1e-9:
                raise ValueError(f"các tiêu chí của nhóm {group.id} cộng lại là {points} điểm, "
                                 f"không phải {group.max_points} điểm của nhóm")
        for criterion in self.criteria:
            if criterion.group not in group_ids:
                raise ValueError(f"tiêu chí {criterion.id} ghi nhóm {criterion.group} không có "
                                 "trong danh mục")
        for name, renamed in self.columns.items():
            if name not in DOSSIER_COLUMNS:
                raise ValueError(f"bảng đổi tên cột (columns) ghi cột {name} không có trong "
                                 "tệp hồ sơ")
            if not renamed.strip():
                raise ValueError(f"bảng đổi tên cột (columns) để trống tên mới của cột {name}")
        return self

    def criterion(self, criterion_id: str) -> Criterion766 | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def indicator_names(self) -> dict[str, str]:
        """Report names of the computable criteria (all are rates), e.g. for
        ``ReportContent.indicator_names``."""
        return {c.id: f"Chỉ số 766, tiêu chí {c.criterion}: {c.name}"
                for c in self.criteria if c.computable}

    def file_column(self, name: str) -> str:
        """The dossier file's name for the national column ``name``."""
        return self.columns.get(name, name)


def load_index766(directory: Path) -> Index766Config:
    """Load ``index766.yaml`` from the registry directory."""
    path = directory / INDEX766_FILE
    try:
        data = read_yaml(path)
        return Index766Config.model_validate(data)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise RegistryError(f"quy tắc chỉ số 766 trong {path} không hợp lệ: {exc}") from exc
