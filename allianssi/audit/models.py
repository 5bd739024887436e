"""Append-only audit records, hash-chained per alliance (and one global chain for parties)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

#: The columns that name the parties a record about a customer's data concerns (ADR 0041).
PARTY_COLUMNS = ("organizer_party", "producer_party", "sender_party")


class AppendOnlyError(Exception):
    pass


class AuditChain(models.Model):
    """The head of one chain: its last sequence number and hash. Locked while appending."""

    key = models.CharField(max_length=40, unique=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.key} @ {self.last_seq}"


class AuditRecord(models.Model):
    chain = models.CharField(_("chain"), max_length=40)
    seq = models.PositiveBigIntegerField(_("sequence number"))
    alliance = models.ForeignKey(
        "alliances.Alliance",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_records",
        verbose_name=_("alliance"),
    )
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object"), max_length=60)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # Who may read a record about a customer's data (ADR 0041): the parties its object concerns,
    # as its app names them (``core.hooks.register_audit_parties``): the customer's organizer
    # (set on every such record, and only on them), the producer (a referral's, or an outcome
    # event's reporter) and a referral's sender. Not hashed: they index the records by reader,
    # as ``audit_object`` indexes them by object, and are filled in from the objects.
    organizer_party = models.BigIntegerField(null=True, blank=True)
    producer_party = models.BigIntegerField(null=True, blank=True)
    sender_party = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["chain", "seq"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_record_chain_seq_unique")
        ]
        indexes = [
            models.Index(fields=["alliance", "-seq"], name="audit_alliance_seq"),
            # The record of a document's approval, shown on the document as a checkpoint.
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            # A reader's page is read from these, one branch an index (ADR 0041): the records
            # about no customer's data, and each party's records of each kind, newest first.
            models.Index(
                fields=["alliance", "-seq"],
                name="audit_open",
                condition=models.Q(organizer_party__isnull=True),
            ),
            *(
                models.Index(
                    fields=["alliance", column, "object_type", "-seq"],
                    name=f"audit_{column}",
                    condition=models.Q(**{f"{column}__isnull": False}),
                )
                for column in PARTY_COLUMNS
            ),
            # "Changed since your last visit": where the alliance's records since a moment begin.
            models.Index(fields=["alliance", "created_at"], name="audit_alliance_time"),
        ]

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit records are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit records are never deleted.")

    def content(self) -> dict[str, Any]:
        """The hashed content, in the form it is hashed."""
        return {
            "chain": self.chain,
            "seq": self.seq,
            "alliance": self.alliance_id,
            "created_at": self.created_at.isoformat(),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "before": self.before,
            "after": self.after,
        }
