"""Regenerate the commune-level units and the old-to-new crosswalk from maintained sources.

    python scripts/generate_units.py            # rewrites config/data/communes.yaml
                                                #          config/data/crosswalk/2025-communes.yaml
    python scripts/generate_units.py --check    # exits 1 if the files differ from the sources

Sources (install with ``pip install -e '.[units]'``):

- ``vietnam-provinces``: the official list of the new province's commune-level units
  (province code 91, An Giang from 1 Jul 2025) with their official codes and names.
- ``vietnamadminunits``: its published conversion table of 2025 (``converter_2025.json``):
  for each new commune the old communes merged into it, and for each old commune split
  between several new ones the list of those new communes. Only its data file is read
  (the package's address parser needs geographic libraries the project does not use).

Crosswalk weights: an old district's figures move to the new communes in proportion to
the number of its old communes each new commune received; an old commune split between k
new communes counts 1/k towards each (the sources give no population shares, so an even
split is the stated assumption). Each district's weights sum to 1.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from importlib.util import find_spec
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config.folding import fold_key  # noqa: E402

DATA = ROOT / "config" / "data"
PROVINCE_CODE = 91
PROVINCE_KEY = "tinhangiang"
OLD_PROVINCE_KEY = "tinhangiang"  # the districts this registry knows are old An Giang's
COMMUNES_FROM = date(2025, 7, 1)


@dataclass(frozen=True)
class Commune:
    code: int
    name: str
    division: str
    key: str  # vietnamadminunits' key of the new commune, e.g. "phuonglongxuyen"


def _package_dir(name: str) -> Path:
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{name} is not installed: pip install -e '.[units]'")
    return Path(next(iter(spec.submodule_search_locations)))


def official_communes() -> list[Commune]:
    """The new province's 102 units, official code and name from ``vietnam-provinces``."""
    from vietnam_provinces import Ward

    wards = [w for w in Ward.iter_all() if int(w.province_code) == PROVINCE_CODE]
    keys = _commune_keys()
    communes = []
    for ward in sorted(wards, key=lambda w: int(w.code)):
        code = int(ward.code)
        if code not in keys:
            raise SystemExit(f"no conversion key for commune {code} {ward.name}")
        communes.append(Commune(code, ward.name, ward.division_type.value, keys[code]))
    return communes


def _commune_keys() -> dict[int, str]:
    """Official code → vietnamadminunits' key, from its dataset of current units."""
    db = _package_dir("vietnamadminunits") / "data" / "dataset.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT wardCode, wardKey FROM admin_units WHERE provinceKey = ?",
                            (PROVINCE_KEY,)).fetchall()
    return {int(code): key for code, key in rows}


def district_weights(registry_districts: dict[str, str],
                     communes: list[Commune]) -> dict[str, dict[int, Fraction]]:
    """Old district code → {new commune code: weight}, weights summing to 1."""
    table = json.loads((_package_dir("vietnamadminunits") / "data" / "converter_2025.json")
                       .read_text(encoding="utf-8"))
    whole: dict[str, list[str]] = table["DICT_PROVINCE_WARD_NO_DIVIDED"][PROVINCE_KEY]
    split: dict[str, list[dict[str, object]]] = table["DICT_PROVINCE_WARD_DIVIDED"].get(
        PROVINCE_KEY, {})
    code_of_key = {c.key: c.code for c in communes}
    # Each old commune ("province_district_commune") → {new key: share}.
    shares: dict[str, dict[str, Fraction]] = defaultdict(dict)
    for new_key, merged in whole.items():
        for old in merged:
            shares[old][new_key] = Fraction(1)
    for old, choices in split.items():
        keys = sorted({str(t["newWardKey"]) for t in choices})
        shares[old] = {k: Fraction(1, len(keys)) for k in keys}
    district_of_key = {key: code for code, key in registry_districts.items()}
    by_district: dict[str, list[dict[str, Fraction]]] = defaultdict(list)
    for old, targets in shares.items():
        province, district, _ = old.split("_", 2)
        if province != OLD_PROVINCE_KEY or district not in district_of_key:
            continue
        by_district[district_of_key[district]].append(targets)
    missing = set(registry_districts) - set(by_district)
    if missing:
        raise SystemExit(f"no old communes found for districts {sorted(missing)}")
    weights: dict[str, dict[int, Fraction]] = {}
    for district, communes_of_district in by_district.items():
        totals: dict[int, Fraction] = defaultdict(Fraction)
        for targets in communes_of_district:
            for key, share in targets.items():
                totals[code_of_key[key]] += share / len(communes_of_district)
        weights[district] = dict(sorted(totals.items()))
    return weights


def _registry_districts() -> dict[str, str]:
    """District code in agencies.yaml → the conversion table's district key."""
    agencies = yaml.safe_load((DATA / "agencies.yaml").read_text(encoding="utf-8"))["agencies"]
    found = {}
    for agency in agencies:
        if agency["kind"] != "ubnd-huyen":
            continue
        name = str(agency["name"])
        key = fold_key(name.removeprefix("UBND "))
        found[agency["code"]] = key
    return found


def communes_yaml(communes: list[Commune]) -> str:
    from vietnam_provinces import __data_version__, __version__

    lines = [
        "# Đơn vị hành chính cấp xã của tỉnh An Giang (mới) từ 01/7/2025: 102 đơn vị.",
        "# TỆP SINH TỰ ĐỘNG bởi scripts/generate_units.py từ gói vietnam-provinces "
        f"{__version__} (dữ liệu {__data_version__});",
        "# không sửa tay: sửa nguồn rồi chạy lại script. Mã đơn vị = X<mã chính thức>.",
        "",
        "agencies:",
    ]
    for c in communes:
        lines += [
            f"  - code: X{c.code}",
            f"    name: {c.name}",
            "    kind: ubnd-xa",
            f"    official_code: {c.code}",
            f"    valid_from: {COMMUNES_FROM.isoformat()}",
            f"    aliases: [UBND {c.name}, Ủy ban nhân dân {c.name}]",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def crosswalk_yaml(weights: dict[str, dict[int, Fraction]]) -> str:
    lines = [
        "# Chuyển đổi đơn vị cũ → đơn vị mới khi sắp xếp đơn vị hành chính 2025.",
        "# TỆP SINH TỰ ĐỘNG bởi scripts/generate_units.py từ bảng chuyển đổi của gói",
        "# vietnamadminunits (converter_2025.json); không sửa tay.",
        "# Trọng số: tỷ lệ số xã, phường cũ của huyện được nhập vào từng xã, phường mới",
        "# (xã cũ chia cho k xã mới tính 1/k cho mỗi xã); tổng trọng số của một huyện là 1.",
        "",
        "changes:",
    ]
    for district in sorted(weights):
        lines += [
            f"  - from: {district}",
            f"    effective: {COMMUNES_FROM.isoformat()}",
            "    to:",
        ]
        for code, weight in weights[district].items():
            lines.append(f"      X{code}: {weight.numerator}/{weight.denominator}"
                         if weight.denominator != 1 else f"      X{code}: 1")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    communes = official_communes()
    outputs = {
        DATA / "communes.yaml": communes_yaml(communes),
        DATA / "crosswalk" / "2025-communes.yaml": crosswalk_yaml(
            district_weights(_registry_districts(), communes)),
    }
    stale = [p for p, text in outputs.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
