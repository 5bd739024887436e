"""Parties are real organisations: reference municipalities, Y-tunnus, joint bodies, own units."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from allianssi.audit.models import AuditRecord
from allianssi.core.errors import DomainError
from allianssi.parties.models import Municipality, Organisation, OrganisationKind, Region
from allianssi.parties.reference import BUNDLED_FILE, ReferenceFileError, parse_municipalities
from allianssi.parties.services import (
    organisation_create,
    organisation_for_municipality,
    party_register,
    party_resolve,
)

pytestmark = pytest.mark.django_db


def test_reference_data__every_municipality_and_region_is_loaded():
    assert Municipality.objects.count() == 309
    assert Region.objects.count() == 19
    tampere = Municipality.objects.get(code="837")
    assert (tampere.name_fi, tampere.name_sv, tampere.region.code) == (
        "Tampere",
        "Tammerfors",
        "06",
    )
    assert Municipality.objects.get(code="091").languages == "fi+sv"
    assert Municipality.objects.filter(classification_year=2024).count() == 309


def test_parse_municipalities__names_the_bad_line():
    text = BUNDLED_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = [*text[:5], "12,Nowhere,Ingenstans,06,FI-11,Pirkanmaa,Birkaland,fi\n"]
    with pytest.raises(ReferenceFileError, match="line 6: municipality code '12'"):
        parse_municipalities(broken)


def test_import_municipalities__updates_by_code_and_records_the_year(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "municipality_code,name_fi,name_sv,region_code,region_iso,region_name_fi,"
        "region_name_sv,languages\n"
        "837,Tampere,Tammerfors,06,FI-11,Pirkanmaa,Birkaland,fi\n"
        "999,Uusikunta,Nykommun,06,FI-11,Pirkanmaa,Birkaland,fi\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_municipalities", str(path), "--year", "2025", stdout=out)
    assert "1 municipalities added, 1 updated (2025)" in out.getvalue()
    assert Municipality.objects.get(code="999").classification_year == 2025


def test_import_municipalities__a_bad_file_changes_nothing(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "municipality_code,name_fi,name_sv,region_code,region_iso,region_name_fi,"
        "region_name_sv,languages\n"
        "998,Hyvä,Bra,06,FI-11,Pirkanmaa,Birkaland,fi\n"
        "997,Huono,Dålig,06,FI-11,Pirkanmaa,Birkaland,klingon\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="line 3"):
        call_command("import_municipalities", str(path), "--year", "2025")
    assert not Municipality.objects.filter(code="998").exists()


@pytest.mark.parametrize("raw", ["1234567-2", "123456-1", "abc", "12345678"])
def test_organisation_create__an_invalid_y_tunnus_is_refused(raw):
    with pytest.raises(DomainError) as caught:
        organisation_create(actor=None, kind=OrganisationKind.COMPANY, name="X Oy", business_id=raw)
    assert caught.value.code == "business_id_invalid"
    assert caught.value.field == "business_id"
    assert not Organisation.objects.filter(name="X Oy").exists()


def test_organisation_create__normalises_and_keeps_y_tunnus_unique():
    company = organisation_create(
        actor=None, kind=OrganisationKind.COMPANY, name="A Oy", business_id=" 12345671 "
    )
    assert company.business_id == "1234567-1"
    with pytest.raises(DomainError, match="business_id_taken"):
        organisation_create(
            actor=None, kind=OrganisationKind.ASSOCIATION, name="B ry", business_id="1234567-1"
        )
    record = AuditRecord.objects.get(action="organisation.create", object_id=str(company.pk))
    assert record.chain == "global"
    assert record.after["business_id"] == "1234567-1"


def test_organisation_create__a_joint_body_has_a_host_among_its_members():
    a, b, c = (organisation_for_municipality(actor=None, code=x) for x in ["508", "702", "936"])
    with pytest.raises(DomainError, match="joint_body_host_required"):
        organisation_create(actor=None, kind=OrganisationKind.JOINT_BODY, name="JB", members=[a, b])
    with pytest.raises(DomainError, match="joint_body_host_not_member"):
        organisation_create(
            actor=None, kind=OrganisationKind.JOINT_BODY, name="JB", host=c, members=[a, b]
        )
    with pytest.raises(DomainError, match="joint_body_too_small"):
        organisation_create(
            actor=None, kind=OrganisationKind.JOINT_BODY, name="JB", host=a, members=[a]
        )
    body = organisation_create(
        actor=None, kind=OrganisationKind.JOINT_BODY, name="JB", host=a, members=[a, b, c]
    )
    assert body.host == a
    assert set(body.joint_body_memberships.values_list("municipality__name", flat=True)) == {
        "Mänttä-Vilppula",
        "Ruovesi",
        "Virrat",
    }


def test_organisation_create__an_own_unit_belongs_to_exactly_one_organizer():
    with pytest.raises(DomainError, match="own_unit_parent_required"):
        organisation_create(actor=None, kind=OrganisationKind.OWN_UNIT, name="Yksikkö")
    company = organisation_create(
        actor=None, kind=OrganisationKind.COMPANY, name="Y Oy", business_id="1234567-1"
    )
    with pytest.raises(DomainError, match="own_unit_parent_required"):
        organisation_create(
            actor=None, kind=OrganisationKind.OWN_UNIT, name="Yksikkö", parent=company
        )


def test_party_resolve__an_unknown_municipality_code_is_refused():
    with pytest.raises(DomainError) as caught:
        party_resolve(actor=None, choice="municipality:000")
    assert caught.value.code == "municipality_unknown"
    with pytest.raises(DomainError, match="party_unknown"):
        party_resolve(actor=None, choice="party:999999")


def test_organisation_for_municipality__registers_once():
    first = organisation_for_municipality(actor=None, code="837")
    assert organisation_for_municipality(actor=None, code="837") == first
    assert first.name == "Tampere"


def test_party_register__a_joint_body_from_the_reference_list_lands_whole(world):
    body = party_register(
        actor=world.users["manager"],
        kind=OrganisationKind.JOINT_BODY,
        name="Lautakunta",
        host_code="508",
        member_codes=["508", "702", "936"],
    )
    assert body.host.municipality.code == "508"
    count = Organisation.objects.count()
    with pytest.raises(DomainError, match="joint_body_host_not_member"):
        party_register(
            actor=world.users["manager"],
            kind=OrganisationKind.JOINT_BODY,
            name="Toinen",
            host_code="020",
            member_codes=["108", "143"],
        )
    assert Organisation.objects.count() == count  # Akaa, Hämeenkyrö, Ikaalinen not registered


def test_party_register__a_company_registers_no_municipalities(world):
    count = Organisation.objects.count()
    party_register(
        actor=world.users["manager"],
        kind=OrganisationKind.COMPANY,
        name="Uusi Oy",
        business_id="1234567-1",
        host_code="020",
        member_codes=["108"],
    )
    assert Organisation.objects.count() == count + 1


def test_party_register__needs_permission(world):
    with pytest.raises(DomainError, match="forbidden"):
        party_register(
            actor=world.users["observer"],
            kind=OrganisationKind.COMPANY,
            name="Ei Oy",
            business_id="1234567-1",
        )


def test_organisation_create__a_too_long_name_is_refused():
    with pytest.raises(DomainError, match="name_too_long"):
        organisation_create(
            actor=None, kind=OrganisationKind.COMPANY, name="N" * 201, business_id="1234567-1"
        )
