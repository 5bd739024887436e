"""The hash chain, as pure functions: no Django, no I/O.

Each audit record's hash covers its own content and the previous record's hash, so that changing,
removing or reordering any record breaks every link after it. The content is serialised as
canonical JSON (sorted keys, no spaces, UTF-8) so that the database's own JSON storage, which may
reorder keys, does not change the hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class Link:
    """What one record contributes to the chain."""

    record_id: int
    seq: int
    prev_hash: str
    hash: str
    content: dict[str, Any]


@dataclass(frozen=True)
class Break:
    """The first place where a chain does not verify."""

    record_id: int | None
    seq: int
    problem: str


@dataclass(frozen=True)
class Anchor:
    """A record the chain must still contain: its ``seq`` and ``hash``, and where they came from
    (``source``, e.g. a checkpoint file's name), to name in a report."""

    seq: int
    hash: str
    source: str


def record_hash(content: dict[str, Any], prev_hash: str) -> str:
    canonical = json.dumps(
        {"content": content, "prev": prev_hash},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def first_break(
    links: Iterable[Link],
    *,
    head_seq: int,
    head_hash: str,
    anchors: Sequence[Anchor] = (),
) -> Break | None:
    """Walk a chain in sequence order; return its first broken link, or ``None`` if it holds.

    ``head_seq`` and ``head_hash`` are what the chain's head says the last record is, so that a
    removed tail is found too. Each of ``anchors`` must name a record of the chain by its hash;
    an anchor beyond the chain's last record means records were removed from its end.
    """
    by_seq: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        by_seq.setdefault(anchor.seq, []).append(anchor)
    expected_prev = GENESIS
    expected_seq = 1
    for link in links:
        if link.seq != expected_seq:
            return Break(link.record_id, expected_seq, "missing record")
        if link.prev_hash != expected_prev:
            return Break(link.record_id, link.seq, "previous hash does not match")
        if record_hash(link.content, link.prev_hash) != link.hash:
            return Break(link.record_id, link.seq, "content does not match its hash")
        for anchor in by_seq.get(link.seq, ()):
            if anchor.hash != link.hash:
                return Break(
                    link.record_id,
                    link.seq,
                    f"hash {link.hash} does not match {anchor.hash} of the checkpoint "
                    f"({anchor.source}): the chain was rewritten",
                )
        expected_prev = link.hash
        expected_seq += 1
    last = expected_seq - 1
    if last != head_seq or expected_prev != head_hash:
        return Break(None, expected_seq, "records missing at the end of the chain")
    beyond = max((a for a in anchors if a.seq > last), key=lambda a: a.seq, default=None)
    if beyond is not None:
        missing = (
            f"record {beyond.seq} is"
            if beyond.seq == expected_seq
            else f"records {expected_seq} to {beyond.seq} are"
        )
        return Break(
            None,
            expected_seq,
            f"{missing} missing at the end of the chain: the checkpoint ({beyond.source}) names "
            f"record {beyond.seq}, the chain ends at record {last}",
        )
    return None
