"""The schema stays ready to be distributed by alliance (ADR 0021): every table whose rows belong
to an alliance carries the alliance key itself, not only through a parent row, and the tables
shared by every alliance are the ones the ADR names."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from allianssi.alliances.models import Alliance

#: Tables shared by every alliance (reference tables on a distributing engine) or about no
#: alliance at all (users, the global audit chain's bookkeeping, settings of a person).
SHARED = {
    "accounts.ThrottleHit",
    "accounts.User",
    "api.ApiToken",
    "audit.AuditChain",
    "background.PeriodicSlot",
    "catalogue.PublicEdition",
    "home.Visit",
    "notifications.NotificationSettings",
    "notifications.Reminder",
    "outcomes.OutcomeType",
    "parties.JointBodyMember",
    "parties.Municipality",
    "parties.Organisation",
    "parties.Region",
    "procurement.ThresholdSetting",
    "settlement.BillingDetails",
    "staffsignin.EmailDomain",
    "staffsignin.IdentityProvider",
    "staffsignin.SignIn",
    "staffsignin.SubjectLink",
}


def _ours() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("allianssi.") and not m._meta.proxy and m._meta.managed
    ]


def _parents(model: type[models.Model]) -> list[type[models.Model]]:
    """The models ``model``'s own rows point to (foreign keys and one-to-ones)."""
    return [
        f.related_model
        for f in model._meta.concrete_fields
        if f.is_relation and isinstance(f.related_model, type)
    ]


def _carries_the_key(model: type[models.Model]) -> bool:
    return model is Alliance or Alliance in _parents(model)


def _belongs_to_an_alliance(model: type[models.Model], seen: frozenset[type] = frozenset()) -> bool:
    if _carries_the_key(model):
        return True
    return any(
        _belongs_to_an_alliance(parent, seen | {model})
        for parent in _parents(model)
        if parent not in seen and parent.__module__.startswith("allianssi.")
    )


def test_every_table_of_an_alliance_carries_the_alliance_key_itself():
    through_a_parent = {
        m._meta.label for m in _ours() if _belongs_to_an_alliance(m) and not _carries_the_key(m)
    }
    assert not through_a_parent, (
        f"{sorted(through_a_parent)} belong to an alliance only through a parent row: give "
        "them the alliance key (ADR 0021, allianssi/alliances/keyed.py)"
    )


def test_the_tables_shared_by_every_alliance_are_the_ones_the_adr_names():
    shared = {m._meta.label for m in _ours() if not _belongs_to_an_alliance(m)}
    assert shared == SHARED, (
        "a table that belongs to no alliance is a shared (reference) table on a distributing "
        "engine: name it in SHARED and in ADR 0021, or give it the alliance key"
    )


@isolate_apps("allianssi.governance")
def test_the_check_sees_a_table_that_reaches_its_alliance_only_through_a_parent():
    from allianssi.governance.models import Proposal, Vote

    class Ballot(models.Model):  # a vote without the key, as votes were before ADR 0021's step
        proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")

        class Meta:
            app_label = "governance"

        def __str__(self) -> str:
            return str(self.pk)

    assert _carries_the_key(Proposal)
    assert _carries_the_key(Vote)
    assert not _carries_the_key(Ballot)
    assert _belongs_to_an_alliance(Ballot)
