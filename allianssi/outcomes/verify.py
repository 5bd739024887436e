"""Checks of the outcome tables that the database no longer makes itself.

The events, their attributions to episodes and the KPI tables keep their references without
database constraints (``db_constraint=False``, ADR 0016): the code that writes them checks what
they name, and nothing they point to is deleted. ``dangling_references`` is the check that this
held — after a restore, a manual repair or a superuser's change — run by ``outcomes_verify``
and by the restore drill, as ``openbook_verify`` checks the ledger's.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from allianssi.outcomes.models import FirstOutcome, FollowUp, OutcomeEvent


def _unconstrained(model: type[models.Model]) -> list[Any]:
    """The model's references that the database does not check (its foreign keys made with
    ``db_constraint=False``)."""
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.ForeignKey) and not getattr(f, "db_constraint", True)
    ]


def dangling_references(alliance_id: int | None = None) -> dict[str, int]:
    """How many rows of the outcome tables name a row that does not exist, per reference
    ("outcome event → customer"); empty if every reference resolves. With ``alliance_id``, only
    that alliance's rows (an event's attributions by their event)."""
    links: type[models.Model] = OutcomeEvent.episodes.through
    tables: dict[type[models.Model], str] = {
        OutcomeEvent: "outcome event",
        links: "outcome event's episode",
        FirstOutcome: "first outcome",
        FollowUp: "follow-up",
    }
    checks: dict[str, models.QuerySet[Any]] = {}
    for model, table in tables.items():
        rows = model._default_manager.all()
        if alliance_id is not None:
            if model is links:
                events = OutcomeEvent.objects.filter(alliance_id=alliance_id).values("pk")
                rows = rows.filter(outcomeevent_id__in=events)
            else:
                rows = rows.filter(alliance_id=alliance_id)
        for field in _unconstrained(model):
            target = field.related_model._default_manager.values("pk")
            column = field.attname
            named = rows.filter(**{f"{column}__isnull": False}) if field.null else rows
            label = f"{table} → {field.name}"
            checks[label] = named.exclude(**{f"{column}__in": target})
    counts = {name: query.count() for name, query in checks.items()}
    return {name: count for name, count in counts.items() if count}
