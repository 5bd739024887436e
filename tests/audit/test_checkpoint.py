"""Signed checkpoint files and printed heads, as pure functions."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from allianssi.audit.checkpoint import (
    FORMAT,
    CheckpointError,
    checkpoint_read,
    checkpoint_sign,
    head_parse,
    key_id,
    private_key_load,
    private_key_new,
    private_key_pem,
    public_key_load,
    public_key_pem,
)

HASH = "ab" * 32
AT = dt.datetime(2026, 5, 4, 12, 30, tzinfo=dt.UTC)


def _signed(key, **fields) -> str:
    args = {"chain": "alliance:7", "seq": 42, "hash": HASH, "taken_at": AT, **fields}
    return checkpoint_sign(private_key=key, **args)


def test_checkpoint__signed_and_read_back():
    key = private_key_new()
    text = _signed(key)
    document = json.loads(text)
    assert document["format"] == FORMAT
    assert document["key"] == key_id(key.public_key())
    found = checkpoint_read(text, public_key=key.public_key())
    assert (found.chain, found.seq, found.hash) == ("alliance:7", 42, HASH)
    assert found.taken_at == "2026-05-04T12:30:00+00:00"
    assert found.anchor("cp.json").source == "cp.json"


@pytest.mark.parametrize(
    ("field", "value"),
    [("hash", "cd" * 32), ("seq", 41), ("chain", "alliance:8"), ("taken_at", "2027-01-01")],
)
def test_checkpoint__any_altered_field_is_refused_by_the_signature(field, value):
    key = private_key_new()
    document = json.loads(_signed(key))
    document[field] = value
    with pytest.raises(CheckpointError, match="signature does not match its content"):
        checkpoint_read(json.dumps(document), public_key=key.public_key())


def test_checkpoint__signed_by_another_key_is_refused():
    trusted, other = private_key_new(), private_key_new()
    with pytest.raises(CheckpointError, match="not the trusted key"):
        checkpoint_read(_signed(other), public_key=trusted.public_key())
    # Claiming the trusted key's id does not help: the signature is still the other key's.
    document = json.loads(_signed(other))
    document["key"] = key_id(trusted.public_key())
    with pytest.raises(CheckpointError, match="signature does not match"):
        checkpoint_read(json.dumps(document), public_key=trusted.public_key())


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "not JSON"),
        ("[]", "not a checkpoint file"),
        (json.dumps({"format": FORMAT}), "fields are not exactly"),
    ],
)
def test_checkpoint__what_is_not_a_checkpoint_is_named(text, problem):
    with pytest.raises(CheckpointError, match=problem):
        checkpoint_read(text, public_key=private_key_new().public_key())


def test_checkpoint__bad_fields_are_refused_before_the_signature():
    key = private_key_new()
    document = json.loads(_signed(key))
    document["seq"] = True
    with pytest.raises(CheckpointError, match="seq is not a positive whole number"):
        checkpoint_read(json.dumps(document), public_key=key.public_key())
    with pytest.raises(CheckpointError, match="hash is not 64"):
        _signed(key, hash="XYZ")


def test_keys__round_trip_through_pem():
    key = private_key_new()
    again = private_key_load(private_key_pem(key))
    assert key_id(again.public_key()) == key_id(key.public_key())
    public = public_key_load(public_key_pem(key.public_key()))
    assert checkpoint_read(_signed(key), public_key=public).seq == 42
    with pytest.raises(CheckpointError, match="not an unencrypted PEM private key"):
        private_key_load(b"nonsense")
    with pytest.raises(CheckpointError, match="not a PEM public key"):
        public_key_load(private_key_pem(key))


def test_head_parse__as_printed_with_groups_and_upper_case():
    grouped = " ".join(HASH[i : i + 16] for i in range(0, 64, 16)).upper()
    assert head_parse(f"42:{grouped}") == (42, HASH)
    assert head_parse(f" 7 : {HASH} ") == (7, HASH)
    for bad in [HASH, f"0:{HASH}", f"x:{HASH}", f"42:{HASH[:-1]}", f"42:{HASH}0"]:
        with pytest.raises(CheckpointError, match="is not SEQ:HASH"):
            head_parse(bad)
