from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from allianssi.accounts.models import User
from allianssi.audit.models import AuditRecord
from allianssi.parties.services import organisation_for_municipality

pytestmark = pytest.mark.django_db


def test_user_add__creates_an_audited_user_of_a_municipality(monkeypatch):
    tampere = organisation_for_municipality(actor=None, code="837")
    monkeypatch.setattr("sys.stdin", io.StringIO("Pitkä-ja-hyvä-salasana-9\n"))
    out = io.StringIO()
    call_command("user_add", "maija", "--municipality", "837", "--password-stdin", stdout=out)
    user = User.objects.get(username="maija")
    assert user.organisation == tampere
    assert user.check_password("Pitkä-ja-hyvä-salasana-9")
    assert AuditRecord.objects.filter(action="user.create", object_id=str(user.pk)).exists()
    assert "created" in out.getvalue()


def test_user_add__a_weak_password_or_unknown_organisation_is_refused(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("12345\n"))
    with pytest.raises(CommandError):
        call_command("user_add", "heikki", "--password-stdin")
    with pytest.raises(CommandError, match="register the party first"):
        call_command("user_add", "heikki", "--business-id", "1234567-1", "--password-stdin")
    assert not User.objects.filter(username="heikki").exists()
