"""The plausibility settings file: the bundled one loads, a bad one is refused with one
Vietnamese sentence naming the file and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.plausibility import Bounds, load_plausibility
from config.registry import Registry, RegistryError
from config.settings import REGISTRY_DIR


def test_the_bundled_file_loads_against_the_registry(registry: Registry) -> None:
    config = load_plausibility(REGISTRY_DIR, [m.code for m in registry.metrics])
    assert config.robust.threshold == 3.5 and config.robust.min_points == 4
    assert config.robust.history_months == 12
    assert config.robust.peer_figures == ("portal_online_rate", "portal_on_time_rate")
    assert config.bounds_of("portal_online_rate") == Bounds(min=0, max=100)
    assert config.bounds_of("tin_bai_tuyen_truyen") == Bounds(min=0)  # the default


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "plausibility.yaml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("text", "said"), [
    ("bounds:\n  figures:\n    portal_online_rate: {min: 100, max: 0}\n",
     "giới hạn dưới 100.0 lớn hơn giới hạn trên 0.0"),
    ("robust:\n  threshold: -1\n", "robust.threshold: phải lớn hơn 0"),
    ("robust:\n  min_points: 2\n", "robust.min_points: phải lớn hơn hoặc bằng 3"),
    ("robust:\n  threshold: cao\n", "robust.threshold: phải là một số"),
    ("robust:\n  nguong: 3\n", "robust.nguong: mục không được phép"),
    ("bounds: [1, 2]\n", "bounds: phải là một bảng"),
    ("robust: {threshold: [\n", "không đọc được cấu hình kiểm tra tính hợp lý"),
])
def test_a_bad_file_is_refused_in_vietnamese(tmp_path: Path, text: str, said: str) -> None:
    with pytest.raises(RegistryError) as refused:
        load_plausibility(_write(tmp_path, text))
    assert said in str(refused.value)
    assert str(tmp_path / "plausibility.yaml") in str(refused.value)


def test_a_range_for_an_unknown_figure_is_refused(tmp_path: Path) -> None:
    folder = _write(tmp_path, "bounds:\n  figures:\n    kiem_tra_chcc: {max: 10}\n")
    assert load_plausibility(folder).bounds_of("kiem_tra_chcc") == Bounds(max=10)
    with pytest.raises(RegistryError, match="mã số liệu không có trong danh mục: "
                                            "kiem_tra_chcc"):
        load_plausibility(folder, ["kiem_tra_cchc"])


def test_an_unknown_figure_compared_with_peers_is_refused(tmp_path: Path) -> None:
    folder = _write(tmp_path, "robust:\n  peer_figures: [portal_onlien_rate]\n")
    with pytest.raises(RegistryError, match="không có trong danh mục: portal_onlien_rate"):
        load_plausibility(folder, ["kiem_tra_cchc"])


def test_an_empty_file_is_the_defaults(tmp_path: Path) -> None:
    config = load_plausibility(_write(tmp_path, ""))
    assert config.robust.threshold == 3.5 and config.bounds_of("x") == Bounds()
