"""Appending to the audit trail. Called by every service, inside the service's transaction."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction

from allianssi.audit import actions
from allianssi.audit.chain import GENESIS, record_hash
from allianssi.audit.models import AuditChain, AuditRecord
from allianssi.core import clock, hooks

if TYPE_CHECKING:
    from allianssi.accounts.models import User
    from allianssi.alliances.models import Alliance

GLOBAL_CHAIN = "global"


def chain_key(alliance: Alliance | None) -> str:
    return f"alliance:{alliance.pk}" if alliance is not None else GLOBAL_CHAIN


def jsonable(value: Any) -> Any:
    """Dates, decimals and the like as the strings they are stored and hashed as."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _lock_chain(key: str) -> AuditChain:
    try:
        return AuditChain.objects.select_for_update().get(key=key)
    except AuditChain.DoesNotExist:
        try:
            with transaction.atomic():
                AuditChain.objects.create(key=key, last_seq=0, last_hash=GENESIS)
        except IntegrityError:
            pass  # Another transaction created it first; lock theirs.
        return AuditChain.objects.select_for_update().get(key=key)


def audit_append(
    *,
    actor: User | None,
    alliance: Alliance | None,
    action: actions.Action | str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record to the alliance's chain (or the global chain).

    Must run inside the calling service's transaction: the record lands with the change or not at
    all. The chain head is locked, so concurrent writers append one after another. ``action`` is
    a constant of ``allianssi.audit.actions``; a name that is not registered there is refused
    (``UnregisteredAction``) and nothing is written.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_append must be called inside a transaction")
    registered = actions.get(action)
    kind = obj._meta.label_lower
    parties = hooks.audit_parties(kind, obj)
    head = _lock_chain(chain_key(alliance))
    record = AuditRecord(
        chain=head.key,
        seq=head.last_seq + 1,
        alliance=alliance,
        created_at=clock.now().astimezone(dt.UTC),
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "system",
        action=registered.name,
        object_type=kind,
        object_id=str(obj.pk),
        before=jsonable(before),
        after=jsonable(after),
        prev_hash=head.last_hash,
    )
    if parties is not None:  # a record about a customer's data: who may read it (ADR 0041)
        record.organizer_party, record.producer_party, record.sender_party = parties
    record.hash = record_hash(record.content(), record.prev_hash)
    record.save()
    AuditChain.objects.filter(pk=head.pk).update(last_seq=record.seq, last_hash=record.hash)
    return record
