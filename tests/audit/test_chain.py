"""The pure hash chain."""

from __future__ import annotations

from allianssi.audit.chain import GENESIS, Anchor, Link, first_break, record_hash


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


def test_first_break__a_removed_tail_with_a_rewound_head_verifies_without_an_anchor():
    links = _chain(6)
    assert first_break(links[:3], head_seq=3, head_hash=links[2].hash) is None


def test_first_break__an_anchor_beyond_a_rewound_head_names_the_missing_records():
    links = _chain(6)
    anchor = Anchor(seq=5, hash=links[4].hash, source="kept.json")
    found = first_break(links[:3], head_seq=3, head_hash=links[2].hash, anchors=[anchor])
    assert found is not None
    assert (found.record_id, found.seq) == (None, 4)
    assert found.problem == (
        "records 4 to 5 are missing at the end of the chain: the checkpoint (kept.json) names "
        "record 5, the chain ends at record 3"
    )
    one = Anchor(seq=4, hash=links[3].hash, source="kept.json")
    found = first_break(links[:3], head_seq=3, head_hash=links[2].hash, anchors=[one])
    assert found is not None
    assert found.problem.startswith("record 4 is missing at the end of the chain")


def test_first_break__anchors_the_chain_still_holds_verify():
    links = _chain(6)
    anchors = [Anchor(2, links[1].hash, "a"), Anchor(6, links[5].hash, "b")]
    assert first_break(links, head_seq=6, head_hash=links[5].hash, anchors=anchors) is None


def test_first_break__a_rewritten_chain_does_not_match_its_anchor():
    """Every hash recomputed from a changed record on: the chain verifies, the anchor does not."""
    links, prev = _chain(5), GENESIS
    rewritten = []
    for link in links:
        content = {**link.content, "action": "forged"} if link.seq == 2 else link.content
        digest = record_hash(content, prev)
        rewritten.append(Link(link.record_id, link.seq, prev, digest, content))
        prev = digest
    assert first_break(rewritten, head_seq=5, head_hash=prev) is None
    anchor = Anchor(seq=4, hash=links[3].hash, source="minutes 3")
    found = first_break(rewritten, head_seq=5, head_hash=prev, anchors=[anchor])
    assert found is not None
    assert (found.record_id, found.seq) == (4, 4)
    assert found.problem == (
        f"hash {rewritten[3].hash} does not match {links[3].hash} of the checkpoint "
        "(minutes 3): the chain was rewritten"
    )
