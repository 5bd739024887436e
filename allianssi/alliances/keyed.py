"""Rows that belong to an alliance through a parent row and carry the alliance key themselves
(ADR 0021: the schema stays ready to be distributed by alliance).

Each such model declares its own ``alliance`` foreign key and names the parent it belongs through
(``alliance_parent``). The services set the key from the parent's ``alliance_id`` when they create
the rows, bulk writes included; :meth:`AllianceKeyed.save` fills it from the parent when it is
still unset, so a row created one at a time always gets its parent's alliance. The database
cannot check that the two agree (a check constraint sees one row of one table);
:func:`mismatched` finds any row whose key differs from its parent's, and the tests use it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Subquery


class AllianceKeyed(models.Model):
    """A row that belongs to an alliance through ``alliance_parent`` and carries its key too."""

    #: The foreign key (a field name) through which the row belongs to its alliance.
    alliance_parent: ClassVar[str]

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "alliance_id", None) is None:
            parent = getattr(self, self.alliance_parent)
            self.alliance_id = parent.alliance_id
        super().save(*args, **kwargs)


def keyed_models() -> list[type[AllianceKeyed]]:
    """Every concrete model that carries the alliance key beside its parent's."""
    return [m for m in apps.get_models() if issubclass(m, AllianceKeyed)]


def parents_alliance(model: type[models.Model], parent: str) -> Subquery:
    """The alliance of each row's ``parent``, as a subquery on the row (``OuterRef``)."""
    related = model._meta.get_field(parent).related_model
    assert isinstance(related, type)
    assert issubclass(related, models.Model)
    rows: models.QuerySet[Any] = related._default_manager.filter(pk=OuterRef(f"{parent}_id"))
    return Subquery(rows.values("alliance_id")[:1])


def mismatched(model: type[AllianceKeyed]) -> models.QuerySet[Any]:
    """The rows of ``model`` whose alliance key is not their parent's."""
    rows: models.QuerySet[Any] = model._default_manager.annotate(
        parents_alliance=parents_alliance(model, model.alliance_parent)
    )
    mismatch: models.QuerySet[Any] = rows.exclude(alliance_id=models.F("parents_alliance"))
    return mismatch


def backfill(apps: Any, app_label: str, parents: dict[str, str]) -> None:
    """For a migration: give each row of the models named in ``parents`` (model name: parent
    field, in an order where a parent's own key is filled first) its parent's alliance, one
    UPDATE per table."""
    for name, parent in parents.items():
        model = apps.get_model(app_label, name)
        model._default_manager.filter(alliance__isnull=True).update(
            alliance_id=parents_alliance(model, parent)
        )
