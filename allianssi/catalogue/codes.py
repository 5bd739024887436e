"""The national service catalogue's (PTV) code lists: service classes and target groups.

Read once from ``data/*.csv`` (the 2022-06-01 snapshot, see ``data/README.md``). No database:
the codes are reference data that change with a new snapshot of the files, not with use.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SNAPSHOT = "2022-06-01"


@dataclass(frozen=True)
class Code:
    code: str
    uri: str
    parent: str
    name_fi: str
    name_sv: str
    name_en: str

    def name(self, language: str) -> str:
        """The name in ``language`` (fi, sv or en), Finnish when that is missing."""
        return getattr(self, f"name_{language[:2]}", "") or self.name_fi

    @property
    def depth(self) -> int:
        return self.code.count(".")


@functools.cache
def _read(name: str) -> dict[str, Code]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: Code(
                code=row["code"],
                uri=row["uri"],
                parent=row["parent_code"],
                name_fi=row["name_fi"],
                name_sv=row["name_sv"],
                name_en=row["name_en"],
            )
            for row in csv.DictReader(handle)
        }


def service_classes() -> dict[str, Code]:
    return _read("service-classes.csv")


def target_groups() -> dict[str, Code]:
    return _read("target-groups.csv")


def choices(codes: dict[str, Code], language: str) -> list[tuple[str, str]]:
    """(code, "code name") pairs in code order, sub-codes indented by their depth."""
    indent = "\u2003"  # an em space a level
    return [(c.code, f"{indent * c.depth}{c.code} {c.name(language)}") for c in codes.values()]
