"""Checkpoints of the audit chain on the pages and documents that approve something.

``{% audit_checkpoint settlement "settlement.approved" %}`` prints the chain, sequence number and
hash of the audit record of that approval. Every later record's hash depends on it, so a copy of
the document kept by a party anchors the chain: ``audit_verify --head SEQ:HASH`` fails once the
chain no longer holds that record with that hash (docs/audit.md).
"""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.db.models import Model

from allianssi.audit import anchoring
from allianssi.audit.models import AuditChain
from allianssi.audit.selectors import audit_record_of
from allianssi.audit.services import chain_key

register = template.Library()


@register.filter
def stored_json(value: Any) -> str:
    """A record's ``before`` or ``after`` as JSON (``null``, ``true``, double quotes), not as
    Python writes a dict, its keys sorted as the record's hash takes them (PostgreSQL's
    ``jsonb`` keeps them in an order of its own); "—" for none."""
    if value is None:
        return "—"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@register.filter
def hash_groups(value: str) -> str:
    """A 64-digit hash in four groups of 16, to read aloud or compare by eye (``audit_verify
    --head`` ignores the spaces)."""
    return " ".join(value[i : i + 16] for i in range(0, len(value), 16))


@register.inclusion_tag("audit/checkpoint.html")
def audit_checkpoint(obj: Model | None, action: str) -> dict[str, Any]:
    """The checkpoint of ``obj``'s ``action`` record, or nothing when there is none."""
    return {"record": audit_record_of(obj, action=action) if obj is not None else None}


@register.inclusion_tag("audit/checkpoint_panel.html")
def audit_checkpoint_panel(alliance: Any) -> dict[str, Any]:
    """The alliance's chain head and the signed checkpoint to download, on its audit page."""
    return {
        "alliance": alliance,
        "head": AuditChain.objects.filter(key=chain_key(alliance), last_seq__gt=0).first(),
        "key_id": anchoring.signing_key_id(),
    }
