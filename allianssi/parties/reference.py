"""Reading the municipality classification file. Pure: no Django, no I/O beyond the given text."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

BUNDLED_FILE = Path(__file__).with_name("data") / "municipalities-2024.csv"
BUNDLED_YEAR = 2024

COLUMNS = (
    "municipality_code",
    "name_fi",
    "name_sv",
    "region_code",
    "region_iso",
    "region_name_fi",
    "region_name_sv",
    "languages",
)
LANGUAGES = frozenset({"fi", "fi+sv", "sv"})


@dataclass(frozen=True)
class RegionRow:
    code: str
    iso_code: str
    name_fi: str
    name_sv: str


@dataclass(frozen=True)
class MunicipalityRow:
    code: str
    name_fi: str
    name_sv: str
    region: RegionRow
    languages: str


class ReferenceFileError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def parse_municipalities(lines: Iterable[str]) -> list[MunicipalityRow]:
    """Parse and check every row; raise on the first bad one, naming its line."""
    reader = csv.DictReader(lines)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ReferenceFileError(1, f"missing columns: {', '.join(missing)}")
    rows: list[MunicipalityRow] = []
    regions: dict[str, RegionRow] = {}
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        values = {key: (raw.get(key) or "").strip() for key in COLUMNS}
        code, region_code = values["municipality_code"], values["region_code"]
        if not (len(code) == 3 and code.isdigit()):
            raise ReferenceFileError(number, f"municipality code {code!r} is not three digits")
        if code in seen:
            raise ReferenceFileError(number, f"municipality code {code} appears twice")
        if not (len(region_code) == 2 and region_code.isdigit()):
            raise ReferenceFileError(number, f"region code {region_code!r} is not two digits")
        if values["languages"] not in LANGUAGES:
            raise ReferenceFileError(
                number, f"languages {values['languages']!r} is not fi, fi+sv or sv"
            )
        if not values["name_fi"] or not values["region_name_fi"]:
            raise ReferenceFileError(number, "a Finnish name is empty")
        region = RegionRow(
            code=region_code,
            iso_code=values["region_iso"],
            name_fi=values["region_name_fi"],
            name_sv=values["region_name_sv"] or values["region_name_fi"],
        )
        if regions.setdefault(region_code, region) != region:
            raise ReferenceFileError(number, f"region {region_code} is described differently above")
        seen.add(code)
        rows.append(
            MunicipalityRow(
                code=code,
                name_fi=values["name_fi"],
                name_sv=values["name_sv"] or values["name_fi"],
                region=region,
                languages=values["languages"],
            )
        )
    return rows
