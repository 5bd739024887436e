"""Signed checkpoints of an audit chain, as pure functions: no Django, no files.

A checkpoint says "at ``taken_at`` the chain ``chain`` ended at record ``seq`` whose hash was
``hash``", signed with an Ed25519 key that lives outside the database. Whoever keeps the file can
later ask the chain to still contain that record with that hash (``audit_verify --checkpoint``):
removing the newest records and rewinding the chain head then fails, and so does rewriting any
earlier record, because every hash after it changes. The signature shows the file is the one the
service wrote: someone with database rights but without the key cannot make a checkpoint that
verifies, nor alter one.

The file is JSON: the signed fields and ``signature`` (base64 of the Ed25519 signature over the
canonical JSON of the signed fields: sorted keys, no spaces, UTF-8). ``key`` is the signing key's
id, the SHA-256 of its raw public key, so that a file signed by another key is named as such.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from allianssi.audit.chain import Anchor

FORMAT = "allianssi-audit-checkpoint/1"
_CHAIN = re.compile(r"global|alliance:[1-9][0-9]*")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_FIELDS = {"format", "chain", "seq", "hash", "taken_at", "key", "signature"}


class CheckpointError(ValueError):
    """A checkpoint (or a printed head) that cannot be trusted or read; the message says why."""


@dataclass(frozen=True)
class Checkpoint:
    chain: str
    seq: int
    hash: str
    taken_at: str
    key: str

    def anchor(self, source: str) -> Anchor:
        return Anchor(seq=self.seq, hash=self.hash, source=source)


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def checkpoint_sign(
    *, chain: str, seq: int, hash: str, taken_at: dt.datetime, private_key: Ed25519PrivateKey
) -> str:
    """The checkpoint file's text: the signed fields and their signature."""
    checkpoint = Checkpoint(
        chain=chain,
        seq=seq,
        hash=hash,
        taken_at=taken_at.astimezone(dt.UTC).isoformat(),
        key=key_id(private_key.public_key()),
    )
    _check_fields(checkpoint)
    fields = {"format": FORMAT, **asdict(checkpoint)}
    signature = base64.b64encode(private_key.sign(_canonical(fields))).decode("ascii")
    return json.dumps({**fields, "signature": signature}, indent=2, ensure_ascii=False) + "\n"


def _check_fields(checkpoint: Checkpoint) -> None:
    if not isinstance(checkpoint.chain, str) or not _CHAIN.fullmatch(checkpoint.chain):
        raise CheckpointError("its chain is not 'global' or 'alliance:<id>'")
    if type(checkpoint.seq) is not int or checkpoint.seq < 1:
        raise CheckpointError("its seq is not a positive whole number")
    if not isinstance(checkpoint.hash, str) or not _HEX64.fullmatch(checkpoint.hash):
        raise CheckpointError("its hash is not 64 lower-case hexadecimal digits")
    if not isinstance(checkpoint.key, str) or not _HEX64.fullmatch(checkpoint.key):
        raise CheckpointError("its key id is not 64 lower-case hexadecimal digits")
    if not isinstance(checkpoint.taken_at, str):
        raise CheckpointError("its time is not text")
    try:
        dt.datetime.fromisoformat(checkpoint.taken_at)
    except ValueError:
        raise CheckpointError("its time is not an ISO 8601 time") from None


def checkpoint_read(text: str | bytes, *, public_key: Ed25519PublicKey) -> Checkpoint:
    """The checkpoint in ``text`` if ``public_key`` signed exactly this content; otherwise
    :class:`CheckpointError` saying what is wrong."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise CheckpointError("it is not JSON") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointError(f"it is not a checkpoint file ({FORMAT})")
    if set(document) != _FIELDS:
        raise CheckpointError(f"its fields are not exactly {', '.join(sorted(_FIELDS))}")
    checkpoint = Checkpoint(
        chain=document["chain"],
        seq=document["seq"],
        hash=document["hash"],
        taken_at=document["taken_at"],
        key=document["key"],
    )
    _check_fields(checkpoint)
    trusted = key_id(public_key)
    if checkpoint.key != trusted:
        raise CheckpointError(
            f"it names the signing key {checkpoint.key}, not the trusted key {trusted}"
        )
    try:
        signature = base64.b64decode(str(document["signature"]), validate=True)
        public_key.verify(signature, _canonical({k: document[k] for k in _FIELDS - {"signature"}}))
    except (InvalidSignature, binascii.Error):
        raise CheckpointError(
            "its signature does not match its content: the file was altered or forged"
        ) from None
    return checkpoint


def head_parse(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` as printed on an approved document (spaces inside the hash are ignored)."""
    seq, colon, digest = "".join(text.split()).partition(":")
    digest = digest.lower()
    if not colon or not seq.isdigit() or int(seq) < 1 or not _HEX64.fullmatch(digest):
        raise CheckpointError(
            f"{text!r} is not SEQ:HASH (a record number, a colon and 64 hexadecimal digits)"
        )
    return int(seq), digest


def private_key_new() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_pem(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def private_key_load(pem: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"it is not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError("it is not an Ed25519 key")
    return key


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_key_load(pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"it is not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError("it is not an Ed25519 key")
    return key
