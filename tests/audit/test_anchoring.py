"""Anchoring the audit chain outside the database: signed checkpoint files, checkpoints printed
on approved documents, and ``audit_verify`` against them after a superuser's tampering."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from allianssi.alliances.models import Phase, Role
from allianssi.alliances.services import alliance_role_grant
from allianssi.audit.models import AuditChain, AuditRecord
from allianssi.audit.selectors import audit_head_break
from allianssi.core import clock
from allianssi.governance.meetings import meeting_create, minutes_approve, minutes_save
from allianssi.governance.models import Seat
from allianssi.settlement import services as settlement_services
from allianssi.settlement.models import Settlement
from tests.accounts.factories import UserFactory
from tests.audit.tampering import rewind, rewrite, tamper
from tests.conftest import World
from tests.settlement.conftest import YEAR, approve_all, give_billing, post_cost, put_in_force

pytestmark = pytest.mark.django_db

#: The checkpoint as a document prints it: the record's number and its hash in four groups.
PRINTED = re.compile(r'class="audit-checkpoint[^"]*">.*?<code>(\d+):([0-9a-f ]{67})</code>', re.S)


@pytest.fixture
def key(settings, tmp_path: Path) -> Path:
    """A signing key of this test's own, outside the database."""
    settings.ALLIANSSI_AUDIT_CHECKPOINT_KEY = tmp_path / "keys" / "checkpoint.key"
    call_command("audit_checkpoint", "--create-key")
    return settings.ALLIANSSI_AUDIT_CHECKPOINT_KEY


def _chain(world: World) -> str:
    return f"alliance:{world.alliance.pk}"


def _head(world: World) -> AuditChain:
    return AuditChain.objects.get(key=_chain(world))


def _more_records(world: World, n: int = 3) -> None:
    for i in range(n):
        alliance_role_grant(
            actor=world.users["manager"],
            alliance=world.alliance,
            user=UserFactory(username=f"later{i}", organisation=world.org["tampere"]),
            role=Role.OBSERVER,
        )


def _checkpoint(world: World, path: Path) -> dict:
    call_command("audit_checkpoint", "--alliance", str(world.alliance.pk), "--out", str(path))
    return json.loads(path.read_text())


def _verify(*args: str) -> str:
    """``audit_verify``'s output; raises CommandError (its output attached) when it fails."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("audit_verify", *args, stdout=out)
    except CommandError as exc:
        exc.output = out.getvalue()  # type: ignore[attr-defined]
        raise
    return out.getvalue()


def _fails(*args: str) -> tuple[str, str]:
    with pytest.raises(CommandError) as failed:
        _verify(*args)
    return str(failed.value), failed.value.output  # type: ignore[attr-defined]


# -- Signed checkpoint files --------------------------------------------------------------------


def test_audit_checkpoint__signs_the_verified_head(world: World, key: Path, tmp_path: Path):
    assert key.stat().st_mode & 0o777 == 0o600
    head = _head(world)
    document = _checkpoint(world, tmp_path / "cp.json")
    assert (document["chain"], document["seq"], document["hash"]) == (
        _chain(world),
        head.last_seq,
        head.last_hash,
    )
    assert "signature" in document
    out = _verify("--checkpoint", str(tmp_path / "cp.json"))
    assert f"{_chain(world)}: OK (holds the checkpoints seq {head.last_seq} of " in out
    assert "3 chain(s) verified" in out  # every chain, as without a checkpoint


def test_audit_verify__a_cut_tail_passes_without_the_checkpoint_and_fails_with_it(
    world: World, key: Path, tmp_path: Path
):
    path = tmp_path / "cp.json"
    kept = _checkpoint(world, path)["seq"]
    _more_records(world)
    assert "chain(s) verified" in _verify("--checkpoint", str(path))  # later records are fine
    rewind(_chain(world), keep=kept - 2)  # the checkpoint's record and two before it removed
    assert "chain(s) verified" in _verify()  # what the chain alone cannot see
    error, out = _fails("--checkpoint", str(path))
    assert error == "1 of 3 chain(s) broken"
    assert (
        f"{_chain(world)}: BROKEN at seq {kept - 1} (end of chain): records {kept - 1} to "
        f"{kept} are missing at the end of the chain: the checkpoint ({path}) names record "
        f"{kept}, the chain ends at record {kept - 2}"
    ) in out
    assert f"alliance:{world.other.pk}: OK" in out


def test_audit_verify__a_chain_rewritten_with_every_hash_recomputed_fails_its_checkpoint(
    world: World, key: Path, tmp_path: Path
):
    path = tmp_path / "cp.json"
    kept = _checkpoint(world, path)
    rewrite(_chain(world), seq=2, actor_label="mallory")
    assert "chain(s) verified" in _verify("--alliance", str(world.alliance.pk))
    _error, out = _fails("--alliance", str(world.alliance.pk), "--checkpoint", str(path))
    assert f"BROKEN at seq {kept['seq']} (record " in out
    assert (
        f"does not match {kept['hash']} of the checkpoint ({path}): the chain was rewritten" in out
    )


def test_audit_verify__a_forged_checkpoint_is_refused_by_its_signature(
    world: World, key: Path, tmp_path: Path
):
    _more_records(world)
    real = _checkpoint(world, tmp_path / "cp.json")
    rewind(_chain(world), keep=real["seq"] - 3)
    # The forger points the kept file at the rewound head, so that it would pass.
    head = _head(world)
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**real, "seq": head.last_seq, "hash": head.last_hash}))
    error, _out = _fails("--checkpoint", str(forged))
    assert error == (
        f"{forged}: checkpoint refused: its signature does not match its content: the file was "
        "altered or forged"
    )


def test_audit_verify__a_checkpoint_signed_by_another_key_is_refused(
    world: World, settings, tmp_path: Path
):
    settings.ALLIANSSI_AUDIT_CHECKPOINT_KEY = tmp_path / "mallory.key"
    call_command("audit_checkpoint", "--create-key")
    _checkpoint(world, tmp_path / "theirs.json")
    call_command("audit_checkpoint", "--public-key", "--out", str(tmp_path / "theirs.pem"))
    settings.ALLIANSSI_AUDIT_CHECKPOINT_KEY = tmp_path / "service.key"
    call_command("audit_checkpoint", "--create-key")
    call_command("audit_checkpoint", "--public-key", "--out", str(tmp_path / "service.pem"))
    # A party verifies with the public key it keeps, without the service's private key.
    settings.ALLIANSSI_AUDIT_CHECKPOINT_KEY = tmp_path / "absent.key"
    cp = str(tmp_path / "theirs.json")
    error, _ = _fails("--checkpoint", cp, "--public-key", str(tmp_path / "service.pem"))
    assert "checkpoint refused: it names the signing key" in error
    assert "chain(s) verified" in _verify(
        "--checkpoint", cp, "--public-key", str(tmp_path / "theirs.pem")
    )
    error, _ = _fails("--checkpoint", cp)
    assert "the signing key: there is no checkpoint signing key at" in error


def test_audit_checkpoint__refuses_a_broken_chain_and_a_missing_key(
    world: World, settings, tmp_path: Path
):
    settings.ALLIANSSI_AUDIT_CHECKPOINT_KEY = tmp_path / "none.key"
    with pytest.raises(CommandError, match=r"no checkpoint signing key at .*--create-key"):
        _checkpoint(world, tmp_path / "cp.json")
    call_command("audit_checkpoint", "--create-key")
    with pytest.raises(CommandError, match="already exists; a key is never replaced"):
        call_command("audit_checkpoint", "--create-key")
    target = AuditRecord.objects.filter(chain=_chain(world)).order_by("seq")[1]
    tamper("UPDATE audit_auditrecord SET actor_label = %s WHERE id = %s", ["x", target.pk])
    with pytest.raises(CommandError, match=r"is broken at seq 2 .* a broken chain is not signed"):
        _checkpoint(world, tmp_path / "cp.json")
    assert not (tmp_path / "cp.json").exists()


def test_audit_verify__a_checkpoint_of_another_chain_than_asked_is_refused(
    world: World, key: Path, tmp_path: Path
):
    _checkpoint(world, tmp_path / "cp.json")
    error, _ = _fails("--alliance", str(world.other.pk), "--checkpoint", str(tmp_path / "cp.json"))
    assert error.endswith(f"the checkpoint is of {_chain(world)}, not of alliance:{world.other.pk}")


# -- A checkpoint printed on a document ---------------------------------------------------------


def test_audit_verify__a_printed_head_needs_its_chain_and_must_be_held(world: World):
    record = AuditRecord.objects.filter(chain=_chain(world)).order_by("seq")[3]
    printed = f"{record.seq}:{record.hash[:16]} {record.hash[16:]}"
    with pytest.raises(CommandError, match="--head needs --alliance ID or --global"):
        _verify("--head", printed)
    with pytest.raises(CommandError, match="is not SEQ:HASH"):
        _verify("--alliance", str(world.alliance.pk), "--head", "4:abc")
    assert "1 chain(s) verified" in _verify("--alliance", str(world.alliance.pk), "--head", printed)
    rewind(_chain(world), keep=2)
    _error, out = _fails("--alliance", str(world.alliance.pk), "--head", printed)
    assert "records 3 to 4 are missing at the end of the chain" in out


@pytest.fixture
def settled(world: World) -> tuple[World, Settlement]:
    """An approved final settlement with its invoices (as tests/settlement builds it)."""
    world.to_phase(Phase.FORMATION)
    Seat.objects.filter(alliance=world.alliance).delete()
    world.users["region_controller"] = UserFactory(
        username="region_controller", organisation=world.org["region"]
    )
    alliance_role_grant(
        actor=world.users["manager"],
        alliance=world.alliance,
        user=world.users["region_controller"],
        role=Role.CONTROLLER,
    )
    put_in_force(world)
    give_billing(world)
    post_cost(world, "producer", "800000.00", dt.date(YEAR, 2, 10))
    settlement_services.kpi_result_enter(
        actor=world.users["controller"],
        alliance=world.alliance,
        year=YEAR,
        kpi="employed",
        measured_on=dt.date(YEAR, 6, 30),
        value=Decimal("26"),
        evidence="Raportti",
    )
    settlement = settlement_services.settlement_compute(
        actor=world.users["manager"], alliance=world.alliance, year=YEAR, kind="final"
    )
    settlement_services.settlement_submit(actor=world.users["manager"], settlement=settlement)
    return world, approve_all(world, settlement)


def _client(world: World) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["observer"])
    return client


def _printed(page: str) -> str:
    found = PRINTED.search(page)
    assert found is not None, page
    return f"{found[1]}:{found[2]}"


def _is_record(printed: str, action: str, obj) -> None:
    seq, digest = printed.split(":")
    record = AuditRecord.objects.get(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    )
    assert (int(seq), digest.replace(" ", "")) == (record.seq, record.hash)


def test_documents__an_approved_settlement_and_its_invoices_print_their_checkpoint(settled):
    world, settlement = settled
    client = _client(world)
    page = client.get(reverse("settlement:detail", args=[world.alliance.pk, settlement.pk]))
    text = page.content.decode()
    assert "Audit trail checkpoint" in text
    assert f"chain {_chain(world)}" in text
    on_settlement = _printed(text)
    _is_record(on_settlement, "settlement.approved", settlement)
    invoices = list(settlement.invoices.all())
    assert invoices
    for invoice in invoices:
        url = reverse("settlement:invoice", args=[world.alliance.pk, invoice.pk])
        on_invoice = _printed(client.get(url).content.decode())
        _is_record(on_invoice, "invoice.make", invoice)
    # Any kept copy anchors the chain: cutting it back before the approval is found.
    pk = str(world.alliance.pk)
    assert "chain(s) verified" in _verify("--alliance", pk, "--head", on_settlement)
    rewind(_chain(world), keep=int(on_settlement.split(":")[0]) - 1)
    assert "chain(s) verified" in _verify("--alliance", pk)
    _error, out = _fails("--alliance", pk, "--head", on_settlement, "--head", on_invoice)
    assert "missing at the end of the chain" in out


def test_documents__a_settlement_not_yet_approved_prints_no_checkpoint(world: World):
    world.to_phase(Phase.FORMATION)
    Seat.objects.filter(alliance=world.alliance).delete()
    put_in_force(world)
    settlement = settlement_services.settlement_compute(
        actor=world.users["manager"], alliance=world.alliance, year=YEAR, kind="final"
    )
    page = _client(world).get(reverse("settlement:detail", args=[world.alliance.pk, settlement.pk]))
    assert page.status_code == 200
    assert "audit-checkpoint" not in page.content.decode()


def test_documents__approved_minutes_print_their_checkpoint(world: World):
    manager = world.users["manager"]
    meeting = meeting_create(
        actor=manager,
        alliance=world.alliance,
        title="Kokous 1/2026",
        starts_at=clock.now() + dt.timedelta(days=1),
    )
    version = minutes_save(actor=manager, meeting=meeting, text="Pöytäkirja")
    url = reverse("governance:minutes_document", args=[world.alliance.pk, meeting.number])
    assert "audit-checkpoint" not in _client(world).get(url).content.decode()  # a draft
    approved = minutes_approve(actor=manager, meeting=meeting, version=version.version)
    page = _client(world).get(url).content.decode()
    _is_record(_printed(page), "minutes.approve", approved)


# -- The audit page: a signed checkpoint for each party to keep --------------------------------


def test_audit_page__offers_a_signed_checkpoint_that_audit_verify_accepts(
    world: World, key: Path, tmp_path: Path
):
    client = _client(world)
    page = client.get(reverse("alliances:audit", args=[world.alliance.pk])).content.decode()
    head = _head(world)
    assert f"<code>{head.last_seq}:{head.last_hash[:16]} " in page
    assert reverse("audit:checkpoint", args=[world.alliance.pk]) in page
    response = client.get(reverse("audit:checkpoint", args=[world.alliance.pk]))
    assert response.status_code == 200
    assert (
        f'filename="audit-checkpoint-alliance-{world.alliance.pk}-{head.last_seq}.json"'
        in response["Content-Disposition"]
    )
    (tmp_path / "cp.json").write_bytes(response.content)
    public = client.get(reverse("audit:public_key"))
    assert public.content.startswith(b"-----BEGIN PUBLIC KEY-----")
    (tmp_path / "key.pem").write_bytes(public.content)
    args = ("--checkpoint", str(tmp_path / "cp.json"), "--public-key", str(tmp_path / "key.pem"))
    assert "chain(s) verified" in _verify(*args)
    rewind(_chain(world), keep=head.last_seq - 1)
    _fails(*args)


def test_audit_page__checkpoints_only_for_the_alliances_people(world: World, key: Path):
    outsider = Client(HTTP_ACCEPT_LANGUAGE="en")
    outsider.force_login(world.users["other_manager"])
    assert outsider.get(reverse("audit:checkpoint", args=[world.alliance.pk])).status_code == 404
    assert Client().get(reverse("audit:checkpoint", args=[world.alliance.pk])).status_code == 302


def test_audit_page__without_a_key_says_so(world: World, settings, tmp_path: Path):
    settings.ALLIANSSI_AUDIT_CHECKPOINT_KEY = tmp_path / "none.key"
    client = _client(world)
    page = client.get(reverse("alliances:audit", args=[world.alliance.pk])).content.decode()
    assert "no key for signing checkpoints yet" in page
    assert reverse("audit:checkpoint", args=[world.alliance.pk]) not in page
    response = client.get(reverse("audit:checkpoint", args=[world.alliance.pk]), follow=True)
    assert "no key for signing checkpoints yet; ask its administrator" in response.content.decode()
    assert client.get(reverse("audit:public_key")).status_code == 404


def test_audit_page__a_broken_head_is_not_signed(world: World, key: Path):
    """The page checks the head's own record only (``audit_verify`` walks the chain)."""
    target = AuditRecord.objects.get(chain=_chain(world), seq=_head(world).last_seq)
    tamper("UPDATE audit_auditrecord SET actor_label = %s WHERE id = %s", ["x", target.pk])
    response = _client(world).get(
        reverse("audit:checkpoint", args=[world.alliance.pk]), follow=True
    )
    assert (
        "The audit trail does not verify, so no checkpoint is signed" in response.content.decode()
    )


def test_audit_head_break__the_heads_own_record_must_be_there_and_verify(world: World):
    chain = _chain(world)
    assert audit_head_break(_head(world)) is None
    AuditChain.objects.filter(key=chain).update(last_hash="0" * 64)
    found = audit_head_break(_head(world))
    assert found is not None
    assert found.problem == "the head's hash does not match its record"
    AuditChain.objects.filter(key=chain).update(last_seq=_head(world).last_seq + 1)
    found = audit_head_break(_head(world))
    assert found is not None
    assert found.problem == "the head's record is missing"
