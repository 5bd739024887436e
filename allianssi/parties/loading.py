"""Loading the municipality classification into the database (used by a migration and a command)."""

from __future__ import annotations

from typing import Any

from allianssi.parties.reference import MunicipalityRow


def load_municipalities(
    rows: list[MunicipalityRow], *, year: int, region_model: Any, municipality_model: Any
) -> tuple[int, int]:
    """Upsert regions and municipalities by code. Returns (created, updated) municipality counts.

    The models are passed in so that a migration can hand over its historical models.
    """
    regions: dict[str, Any] = {}
    for row in rows:
        if row.region.code in regions:
            continue
        region, _ = region_model.objects.update_or_create(
            code=row.region.code,
            defaults={
                "iso_code": row.region.iso_code,
                "name_fi": row.region.name_fi,
                "name_sv": row.region.name_sv,
                "classification_year": year,
            },
        )
        regions[row.region.code] = region
    created = updated = 0
    for row in rows:
        _, was_created = municipality_model.objects.update_or_create(
            code=row.code,
            defaults={
                "name_fi": row.name_fi,
                "name_sv": row.name_sv,
                "region": regions[row.region.code],
                "languages": row.languages,
                "classification_year": year,
            },
        )
        created += was_created
        updated += not was_created
    return created, updated
