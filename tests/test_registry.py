"""The real registry in config/data: agencies, the 2025 task register, indicators."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from config.registry import Agency, Registry, RegistryError, load_registry
from config.settings import REGISTRY_DIR

DEPARTMENTS = [
    "SNV", "STP", "STC", "SKHCN", "SVHTTDL", "SGDDT", "VPUBND", "BAG", "DPTTH",
    "SCT", "SNNMT", "SXD", "SYT", "TTT", "SDTTG", "SNGV",
]
MERGED = {
    "SKHDT": ("STC",),
    "SLDTBXH": ("SNV", "SYT", "SGDDT"),
    "STTTT": ("SKHCN",),
    "STNMT": ("SNNMT",),
    "SNNPTNT": ("SNNMT",),
    "SGTVT": ("SXD",),
    "BDT": ("SDTTG",),
}
DISTRICTS = [
    "UBND-LX", "UBND-CD", "UBND-TC", "UBND-AP", "UBND-CP", "UBND-CT",
    "UBND-CM", "UBND-PT", "UBND-TS", "UBND-TB", "UBND-TT",
]
MASS_ORGANISATIONS = ["MTTQ", "TDOAN"]

TASK_IDS = [
    "III.1.a", "III.1.b", "III.2.a", "III.2.b", "III.3", "III.4", "III.5", "III.6",
    "IV.1", "IV.2.a", "IV.2.b", "IV.3.a", "IV.3.b", "IV.3.c", "IV.4", "IV.5",
    "IV.6.a", "IV.6.b", "IV.7", "IV.8", "IV.9.a", "IV.9.b", "IV.9.c",
    "IV.10.a", "IV.10.b", "IV.10.c",
]
AREAS = {
    "chỉ đạo điều hành", "tuyên truyền", "thể chế", "thủ tục hành chính", "tổ chức bộ máy",
    "chế độ công vụ", "tài chính công", "chính quyền điện tử/số", "chính sách",
}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(REGISTRY_DIR)


def _codes(agencies: list[Agency]) -> set[str]:
    return {a.code for a in agencies}


# --- agencies -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("codes", "kind"),
    [
        (DEPARTMENTS, "so-ban-nganh"),
        (list(MERGED), "so-ban-nganh"),
        (DISTRICTS, "ubnd-huyen"),
        (MASS_ORGANISATIONS, "doan-the"),
    ],
)
def test_agency_codes_and_kinds(registry: Registry, codes: list[str], kind: str) -> None:
    for code in codes:
        agency = registry.agency(code)
        assert agency is not None, code
        assert agency.kind == kind, code


def test_merged_departments_close_in_february_with_successors(registry: Registry) -> None:
    for code, successors in MERGED.items():
        agency = registry.agency(code)
        assert agency is not None
        assert agency.valid_to == date(2025, 2, 28), code
        assert agency.successors[: len(successors)] == successors, code
        for successor in agency.successors:
            assert registry.agency(successor) is not None, successor
    for code in ("SNNMT", "SDTTG"):
        agency = registry.agency(code)
        assert agency is not None
        assert agency.valid_from == date(2025, 3, 1)


def test_mass_organisations_do_not_report(registry: Registry) -> None:
    for code in MASS_ORGANISATIONS:
        agency = registry.agency(code)
        assert agency is not None
        assert agency.reports is False
    assert not _codes(registry.agencies_valid(date(2025, 3, 1), date(2025, 3, 31))) & set(
        MASS_ORGANISATIONS
    )


def test_districts_close_on_30_june_2025(registry: Registry) -> None:
    for code in DISTRICTS:
        agency = registry.agency(code)
        assert agency is not None
        assert agency.valid_to == date(2025, 6, 30), code
    after = _codes(registry.agencies_valid(date(2025, 7, 1), date(2025, 7, 14)))
    assert not after & set(DISTRICTS)
    before = _codes(registry.agencies_valid(date(2025, 6, 15), date(2025, 6, 30)))
    assert set(DISTRICTS) <= before


def test_agencies_valid_in_march_2025(registry: Registry) -> None:
    march = _codes(registry.agencies_valid(date(2025, 3, 1), date(2025, 3, 31)))
    assert {"SNV", "UBND-LX", "SNNMT", "SDTTG"} <= march
    assert not march & set(MERGED)
    february = _codes(registry.agencies_valid(date(2025, 2, 1), date(2025, 2, 28)))
    assert {"SKHDT", "STNMT"} <= february
    assert "SNNMT" not in february


def test_find_agency_by_loose_name(registry: Registry) -> None:
    found = registry.find_agency("tp long xuyen")
    assert found is not None and found.code == "UBND-LX"
    found = registry.find_agency("  UBND  thị xã Tân Châu ")
    assert found is not None and found.code == "UBND-TC"
    found = registry.find_agency("Sở GD&ĐT")
    assert found is not None and found.code == "SGDDT"
    assert registry.find_agency("UBND huyện Không Có") is None


def test_placeholder_emails(registry: Registry) -> None:
    for agency in registry.agencies:
        assert agency.email == f"{agency.code.lower()}@angiang.gov.vn"


# --- tasks ----------------------------------------------------------------------------
def test_every_task_of_sections_iii_and_iv(registry: Registry) -> None:
    ids = [t.id for t in registry.tasks]
    assert ids == TASK_IDS
    assert len(ids) == 26
    for task in registry.tasks:
        assert task.area in AREAS, task.id
        assert task.text.strip(), task.id
        assert task.lead, task.id
        assert task.source, task.id


def test_deadlines(registry: Registry) -> None:
    task = registry.task("IV.6.b")
    assert task is not None
    assert task.deadline == date(2025, 3, 31)
    assert task.lead == ("SNV",)
    with_deadline = {t.id for t in registry.tasks if t.deadline is not None}
    assert with_deadline == {"IV.6.b", "IV.9.b", "IV.9.c"}
    assert all(t.deadline == date(2025, 3, 31) for t in registry.tasks if t.deadline)


def test_group_lead_assigns_every_district(registry: Registry) -> None:
    task = registry.task("III.3")
    assert task is not None
    assert task.lead == ("@so-ban-nganh", "@ubnd-huyen")
    assert registry.is_assigned(task, "UBND-CM")
    assert registry.is_assigned(task, "SNV")
    assert not registry.is_assigned(task, "MTTQ")
    assert set(DISTRICTS) <= registry.leads_of(task)
    iv8 = registry.task("IV.8")
    assert iv8 is not None
    assert not registry.is_assigned(iv8, "UBND-CM")


def test_mass_organisation_and_education_tasks(registry: Registry) -> None:
    iv10a, iv10b, iv10c = (registry.task(i) for i in ("IV.10.a", "IV.10.b", "IV.10.c"))
    assert iv10a is not None and "MTTQ" in iv10a.lead
    assert iv10b is not None and iv10b.lead == ("TDOAN",) and "SKHCN" in iv10b.coordinating
    assert iv10c is not None and iv10c.lead == ("SGDDT",)
    named = [
        t.id for t in registry.tasks_reportable_by("SKHCN") if "SKHCN" in t.lead + t.coordinating
    ]
    assert named == ["IV.8", "IV.10.b", "IV.10.c"]


# --- indicators -----------------------------------------------------------------------
def test_online_filing_target_for_2025(registry: Registry) -> None:
    target = registry.target_for("online_filing_rate", date(2025, 1, 1), date(2025, 12, 31))
    assert target is not None
    assert target.op == ">=" and target.value == 80
    assert "942/QĐ-TTg" in target.source
    assert target.met_by(80.0) and not target.met_by(43.0)
    assert registry.target_for("online_filing_rate", date(2026, 1, 1), date(2026, 1, 31)) is None


def test_indicators_and_metrics(registry: Registry) -> None:
    ids = {i.id: i for i in registry.indicators}
    assert set(ids) == {
        "online_filing_rate", "on_time_rate", "overdue_in_progress", "task_completion_rate",
        "tasks_overdue", "submission_rate", "submission_on_time_rate",
    }
    assert ids["submission_rate"].scope == "province"
    assert ids["tasks_overdue"].kind == "count"
    assert 4 <= len(registry.metrics) <= 6
    assert registry.metric("kiem_tra_cchc") is not None
    overdue = registry.target_for("tasks_overdue", date(2025, 3, 1), date(2025, 3, 31))
    assert overdue is not None and overdue.op == "<=" and overdue.value == 0


# --- validation -----------------------------------------------------------------------
def _copy_registry(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    shutil.copytree(REGISTRY_DIR, directory)
    return directory


def test_copied_registry_loads(tmp_path: Path) -> None:
    assert [t.id for t in load_registry(_copy_registry(tmp_path)).tasks] == TASK_IDS


def test_task_naming_unknown_unit_is_rejected(tmp_path: Path) -> None:
    directory = _copy_registry(tmp_path)
    (directory / "tasks" / "zz-bad.yaml").write_text(
        "notice: thử\n"
        "tasks:\n"
        "  - id: X.1\n"
        "    area: thể chế\n"
        "    text: Nhiệm vụ giao cho đơn vị không có.\n"
        "    lead: [SKHONGCO]\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match="SKHONGCO"):
        load_registry(directory)


def test_duplicate_task_id_is_rejected(tmp_path: Path) -> None:
    directory = _copy_registry(tmp_path)
    (directory / "tasks" / "zz-dup.yaml").write_text(
        "notice: thử\n"
        "tasks:\n"
        "  - id: IV.8\n"
        "    area: thể chế\n"
        "    text: Trùng mã.\n"
        "    lead: [SNV]\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match=r"IV\.8 appears twice"):
        load_registry(directory)
