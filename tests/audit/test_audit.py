"""Audit records in the database: appended with every change, append-only, verifiable."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction

from allianssi.audit.models import AppendOnlyError, AuditRecord
from allianssi.audit.selectors import audit_chain_verify
from allianssi.audit.services import audit_append
from tests.audit.tampering import tamper
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_audit_records__chain_per_alliance_with_actor_and_sequence(world: World):
    records = list(AuditRecord.objects.filter(alliance=world.alliance).order_by("seq"))
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    assert all(r.chain == f"alliance:{world.alliance.pk}" for r in records)
    assert records[0].actor == world.users["manager"]
    assert records[0].actor_label == "manager"
    assert audit_chain_verify(f"alliance:{world.alliance.pk}") is None
    assert audit_chain_verify("global") is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_audit_append__refuses_to_run_outside_a_transaction(world: World):
    with pytest.raises(RuntimeError):
        audit_append(actor=None, alliance=None, action="x", obj=world.alliance)


def test_audit_record__the_model_refuses_changes_and_deletion(world: World):
    record = AuditRecord.objects.first()
    record.action = "forged"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()


def test_audit_record__the_database_refuses_update_and_delete(world: World):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(alliance=world.alliance).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(alliance=world.alliance).delete()
    assert not AuditRecord.objects.filter(action="forged").exists()


def test_audit_verify__reports_the_first_broken_link(world: World, capsys):
    call_command("audit_verify")
    assert "chain(s) verified" in capsys.readouterr().out
    target = AuditRecord.objects.filter(alliance=world.alliance).order_by("seq")[2]
    tamper("UPDATE audit_auditrecord SET actor_label = %s WHERE id = %s", ["mallory", target.pk])
    with pytest.raises(CommandError, match="1 of 1 chain"):
        call_command("audit_verify", "--alliance", str(world.alliance.pk))
    out = capsys.readouterr().out
    assert f"BROKEN at seq 3 (record {target.pk}): content does not match its hash" in out


def test_audit_verify__a_deleted_record_is_reported(world: World, capsys):
    target = AuditRecord.objects.filter(alliance=world.other).order_by("seq")[1]
    tamper("DELETE FROM audit_auditrecord WHERE id = %s", [target.pk])
    with pytest.raises(CommandError):
        call_command("audit_verify")
    out = capsys.readouterr().out
    assert f"alliance:{world.other.pk}: BROKEN at seq 2" in out
    assert f"alliance:{world.alliance.pk}: OK" in out
