"""Anchoring the audit chains outside the database (docs/audit.md).

Two kinds of anchor: the audit record of an approval, printed on the approved document (see
``templatetags/audit.py``), and a signed checkpoint file of a chain's head that each party can
keep (``audit_checkpoint``, or the alliance's audit page). ``audit_verify --checkpoint FILE`` and
``--head SEQ:HASH`` then ask the chain to still hold what the anchor names.

The signing key is a file named by ``ALLIANSSI_AUDIT_CHECKPOINT_KEY``, never a database row: a
database superuser can rewrite the chain and its head but cannot sign a checkpoint of the result.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from allianssi.audit import checkpoint
from allianssi.audit.checkpoint import CheckpointError
from allianssi.audit.models import AuditChain
from allianssi.audit.selectors import audit_chain_verify, audit_head_break
from allianssi.core import clock


class SigningKeyMissing(CheckpointError):
    """No signing key is configured: checkpoints cannot be made or checked without a key."""


class ChainNotCheckpointed(CheckpointError):
    """The chain is empty or does not verify, so no checkpoint is signed for it."""


def signing_key_path() -> Path:
    return Path(settings.ALLIANSSI_AUDIT_CHECKPOINT_KEY)


def signing_key() -> Ed25519PrivateKey:
    path = signing_key_path()
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyMissing(
            f"there is no checkpoint signing key at {path}: make one with "
            "`manage.py audit_checkpoint --create-key` (ALLIANSSI_AUDIT_CHECKPOINT_KEY names "
            "the file)"
        ) from None
    try:
        return checkpoint.private_key_load(pem)
    except CheckpointError as exc:
        raise CheckpointError(f"the checkpoint signing key {path} is unusable: {exc}") from None


def signing_key_id() -> str | None:
    """The configured key's id, or ``None`` when there is no usable key."""
    try:
        return checkpoint.key_id(signing_key().public_key())
    except CheckpointError:
        return None


def signing_key_create() -> Path:
    """Write a new signing key, readable by its owner only; never replaces an existing one (the
    checkpoints it signed would no longer verify against the configured key)."""
    path = signing_key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CheckpointError(f"{path} already exists; a key is never replaced") from None
    with os.fdopen(fd, "wb") as out:
        out.write(checkpoint.private_key_pem(checkpoint.private_key_new()))
    return path


def trusted_public_key(pem: bytes | None = None) -> Ed25519PublicKey:
    """The key a checkpoint must be signed by: the one in ``pem`` (a party's own copy of the
    published public key), or else the public half of the configured signing key."""
    if pem is not None:
        return checkpoint.public_key_load(pem)
    return signing_key().public_key()


def checkpoint_take(*, chain: str, whole_chain: bool = True) -> tuple[checkpoint.Checkpoint, str]:
    """The signed checkpoint of ``chain``'s head, and the text of its file.

    The chain is verified up to the head first (``whole_chain``), and a broken chain is never
    signed. The web page, which anyone in the alliance may call, checks only the head's own
    record, so that a long chain costs nothing there: a checkpoint proves nothing about the
    records before it, and ``audit_verify`` always walks the whole chain. Nothing is written to
    the database, so taking a checkpoint does not move the head it names.
    """
    key = signing_key()
    head = AuditChain.objects.filter(key=chain, last_seq__gt=0).first()
    if head is None:
        raise ChainNotCheckpointed(f"the chain {chain} has no records yet")
    broken = audit_chain_verify(chain, head=head) if whole_chain else audit_head_break(head)
    if broken is not None:
        raise ChainNotCheckpointed(
            f"the chain {chain} is broken at seq {broken.seq} ({broken.problem}); a broken "
            "chain is not signed"
        )
    text = checkpoint.checkpoint_sign(
        chain=chain, seq=head.last_seq, hash=head.last_hash, taken_at=clock.now(), private_key=key
    )
    return checkpoint.checkpoint_read(text, public_key=key.public_key()), text
