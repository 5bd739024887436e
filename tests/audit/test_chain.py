"""The pure hash chain."""

from __future__ import annotations

from allianssi.audit.chain import GENESIS, Link, first_break, record_hash


def _chain(n: int) -> list[Link]:
    links, prev = [], GENESIS
    for seq in range(1, n + 1):
        content = {"seq": seq, "action": "x", "after": {"b": 1, "a": [seq]}}
        digest = record_hash(content, prev)
        links.append(Link(record_id=seq, seq=seq, prev_hash=prev, hash=digest, content=content))
        prev = digest
    return links


def test_record_hash__ignores_key_order():
    assert record_hash({"a": 1, "b": {"c": 2, "d": 3}}, GENESIS) == record_hash(
        {"b": {"d": 3, "c": 2}, "a": 1}, GENESIS
    )


def test_first_break__an_intact_chain_verifies():
    links = _chain(5)
    assert first_break(links, head_seq=5, head_hash=links[-1].hash) is None


def test_first_break__a_changed_record_is_the_first_break():
    links = _chain(5)
    changed = Link(3, 3, links[2].prev_hash, links[2].hash, {**links[2].content, "action": "y"})
    found = first_break([*links[:2], changed, *links[3:]], head_seq=5, head_hash=links[-1].hash)
    assert found is not None
    assert (found.seq, found.problem) == (3, "content does not match its hash")


def test_first_break__a_removed_record_is_found():
    links = _chain(5)
    found = first_break([*links[:2], *links[3:]], head_seq=5, head_hash=links[-1].hash)
    assert found is not None
    assert (found.seq, found.problem) == (3, "missing record")


def test_first_break__a_removed_tail_is_found():
    links = _chain(5)
    found = first_break(links[:4], head_seq=5, head_hash=links[-1].hash)
    assert found is not None
    assert found.problem == "records missing at the end of the chain"


def test_first_break__a_rehashed_record_breaks_the_next_link():
    links = _chain(4)
    content = {**links[1].content, "action": "forged"}
    forged = Link(2, 2, links[1].prev_hash, record_hash(content, links[1].prev_hash), content)
    found = first_break([links[0], forged, *links[2:]], head_seq=4, head_hash=links[-1].hash)
    assert found is not None
    assert (found.seq, found.problem) == (3, "previous hash does not match")
