"""The real registry in config/data: agencies, the 2025 task register, indicators."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from config.index766 import load_index766
from config.registry import Agency, Registry, RegistryError, load_registry
from config.settings import REGISTRY_DIR

DEPARTMENTS = [
    "SNV", "STP", "STC", "SKHCN", "SVHTTDL", "SGDDT", "VPUBND",
    "SCT", "SNNMT", "SXD", "SYT", "TTT", "SDTTG", "SNGV",
]
PRESS = ["BAG", "DPTTH"]
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
MASS_ORGANISATIONS = ["MTTQ", "TDOAN", "HLHPN", "HND", "HCCB", "LDLD"]
MAY_2025 = (date(2025, 4, 15), date(2025, 5, 14))
OCT_2026 = (date(2026, 9, 15), date(2026, 10, 14))

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
        (PRESS, "bao-chi"),
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


def test_mass_organisations_and_press_are_not_counted_as_reporters(registry: Registry
                                                                   ) -> None:
    for code in MASS_ORGANISATIONS + PRESS:
        agency = registry.agency(code)
        assert agency is not None
        assert registry.must_submit(agency) is False
    expected = _codes(registry.agencies_valid(date(2025, 3, 1), date(2025, 3, 31)))
    assert not expected & set(MASS_ORGANISATIONS + PRESS)
    existing = _codes(registry.units_valid(date(2025, 3, 1), date(2025, 3, 31)))
    assert set(MASS_ORGANISATIONS + PRESS) <= existing


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
        if agency.kind != "ubnd-xa":  # communes have no address yet
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
    # IV.10.a: the Fatherland Front and every provincial mass organisation.
    assert iv10a is not None and registry.leads_of(iv10a, MAY_2025) == set(MASS_ORGANISATIONS)
    assert iv10b is not None and iv10b.lead == ("TDOAN",) and "SKHCN" in iv10b.coordinating
    # IV.10.c: the notice gives it to Sở Giáo dục và Đào tạo alone.
    assert iv10c is not None and iv10c.lead == ("SGDDT",) and iv10c.coordinating == ()
    named = [
        t.id for t in registry.tasks_reportable_by("SKHCN") if "SKHCN" in t.lead + t.coordinating
    ]
    assert named == ["IV.8", "IV.10.b"]


def test_press_does_not_inherit_the_general_tasks(registry: Registry) -> None:
    general = [t for t in registry.tasks if t.id.startswith("III.")]
    for task in general:
        assert not registry.leads_of(task, MAY_2025) & set(PRESS), task.id
    assert [t.id for t in registry.tasks_reportable_by("BAG", MAY_2025)] == ["IV.2.a", "IV.2.b"]


def test_the_register_is_a_dated_document(registry: Registry) -> None:
    document = registry.documents["2025-tb-ket-luan-cchc"]
    assert document.conference_on == date(2025, 3, 4)
    assert document.issued_on is None and document.number is None  # not in the copy
    assert document.applies_from == date(2025, 3, 5) and document.applies_from_inferred
    # Nothing is assigned for January or February 2025 (windows end 14/1 and 14/2).
    assert registry.tasks_in_force(date(2024, 12, 15), date(2025, 1, 14)) == []
    assert registry.tasks_in_force(date(2025, 1, 15), date(2025, 2, 14)) == []
    assert registry.tasks_reportable_by("SNV", (date(2025, 1, 15), date(2025, 2, 14))) == []
    assert len(registry.tasks_in_force(date(2025, 2, 15), date(2025, 3, 14))) == 26


def test_inferred_deadline_is_marked_and_not_quoted(registry: Registry) -> None:
    task = registry.task("IV.9.b")
    assert task is not None and task.deadline_inferred and task.deadline_note
    assert "tháng 3" not in task.text
    assert [t.id for t in registry.tasks if t.deadline_inferred] == ["IV.9.b"]


def test_groups_expand_only_to_units_of_the_period(registry: Registry) -> None:
    task = registry.task("III.3")
    assert task is not None
    may = registry.leads_of(task, MAY_2025)
    october = registry.leads_of(task, OCT_2026)
    assert set(DISTRICTS) <= may and not may & set(MERGED)
    assert not october & set(DISTRICTS)
    # From 1/7/2025 the district chairs' open-ended tasks pass to the 102 communes.
    communes = {a.code for a in registry.agencies if a.kind == "ubnd-xa"}
    assert len(communes) == 102 and communes <= october and not may & communes
    assert not registry.leads_of(task, (date(2025, 2, 15), date(2025, 3, 14))) & communes


def test_tasks_due_before_the_succession_stay_with_the_old_units(registry: Registry) -> None:
    task = registry.task("IV.9.b")  # district chairs, due 31/3/2025
    assert task is not None
    assert registry.leads_of(task, OCT_2026) == set()
    assert set(DISTRICTS) == registry.leads_of(task, (date(2025, 3, 15), date(2025, 4, 14)))


def test_expected_reporters_in_october_2026(registry: Registry) -> None:
    expected = _codes(registry.agencies_valid(*OCT_2026))
    assert len(expected) == 14 + 102
    assert not expected & set(DISTRICTS)
    assert {"X30307", "SNV"} <= expected


def test_name_lookups_respect_validity(registry: Registry) -> None:
    # "Châu Thành" was a district until 30/6/2025 and is a commune's name afterwards.
    old = registry.find_agency("UBND huyện Châu Thành", on=MAY_2025)
    assert old is not None and old.code == "UBND-CT"
    assert registry.find_agency("UBND huyện Châu Thành", on=OCT_2026) is None
    new = registry.find_agency("Xã Châu Thành", on=OCT_2026)
    assert new is not None and new.kind == "ubnd-xa"
    assert registry.find_agency("Xã Châu Thành", on=MAY_2025) is None


def test_closed_units_name_their_successors(registry: Registry) -> None:
    district = registry.agency("UBND-CT")
    assert district is not None
    names = registry.successor_names(district)
    assert names and all("(X" in n for n in names)
    skhdt = registry.agency("SKHDT")
    assert skhdt is not None and registry.successor_names(skhdt) == ["Sở Tài chính (STC)"]


# --- indicators -----------------------------------------------------------------------
def test_fully_online_target_for_2025_is_on_the_766_online_share(registry: Registry) -> None:
    # QĐ 942's 80 % is for dossiers handled fully online, not for dossiers filed online
    target = registry.target_for("idx766_online_share", date(2025, 1, 1), date(2025, 12, 31))
    assert target is not None
    assert target.op == ">=" and target.value == 80
    assert "942/QĐ-TTg" in target.source and "toàn trình" in target.source
    assert target.met_by(80.0) and not target.met_by(43.0)
    assert registry.target_for("idx766_online_share", date(2026, 1, 1),
                               date(2026, 1, 31)) is None
    assert registry.target_for("online_filing_rate", date(2025, 1, 1), date(2025, 12, 31)) is None


def test_statistics_and_766_rates_have_distinct_names(registry: Registry) -> None:
    names = registry.indicator_names()
    assert "chỉ hồ sơ đã giải quyết" in names["on_time_rate"]
    assert "biểu thống kê" in names["online_filing_rate"]
    assert "toàn trình" in names["idx766_online_share"]
    rules = load_index766(REGISTRY_DIR)
    assert "gồm hồ sơ đang giải quyết" in rules.indicator_names()["idx766_on_time"]
    assert names["on_time_rate"] != rules.indicator_names()["idx766_on_time"]


def test_indicators_and_metrics(registry: Registry) -> None:
    ids = {i.id: i for i in registry.indicators}
    assert set(ids) == {
        "online_filing_rate", "on_time_rate", "idx766_online_share", "overdue_in_progress",
        "task_completion_rate", "tasks_overdue", "submission_rate", "submission_on_time_rate",
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
        "document: {kind: Thông báo, applies_from: 2025-01-01}\n"
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
        "document: {kind: Thông báo, applies_from: 2025-01-01}\n"
        "tasks:\n"
        "  - id: IV.8\n"
        "    area: thể chế\n"
        "    text: Trùng mã.\n"
        "    lead: [SNV]\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match=r"IV\.8 được ghi hai lần"):
        load_registry(directory)


def test_a_closed_unit_without_a_successor_chain_is_rejected(tmp_path: Path) -> None:
    directory = _copy_registry(tmp_path)
    (directory / "crosswalk" / "2025-departments.yaml").unlink()
    with pytest.raises(RegistryError, match="SKHDT hoạt động đến hết ngày 2025-02-28 nhưng bảng "
                       "chuyển đơn vị"):
        load_registry(directory)



def test_a_crosswalk_date_that_is_not_the_day_after_closing_is_rejected(tmp_path: Path) -> None:
    directory = _copy_registry(tmp_path)
    path = directory / "crosswalk" / "2025-departments.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("effective: 2025-03-01", "effective: 2025-04-01", 1),
                    encoding="utf-8")
    with pytest.raises(RegistryError, match="SKHDT hoạt động đến hết ngày 2025-02-28 nhưng bảng "
                       r"chuyển đơn vị \(crosswalk\) ghi ngày chuyển 2025-04-01"):
        load_registry(directory)
