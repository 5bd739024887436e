"""Unanimity over parties, as a pure function: no Django, no I/O.

A proposal is put to the seats of the leadership group, one seat per party. Its outcome is
computed from each seat's current vote, never typed in:

- **blocked** as soon as one seat objects (the objectors are named);
- **decided** when every seat has approved — or, where the agreement says an abstention does not
  block, when every seat has approved or abstained and at least one has approved;
- **open** while votes are missing and the deadline has not passed;
- **not decided** when the deadline has passed with votes missing, or when every seat has voted
  but abstentions keep it from being unanimous.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Choice(StrEnum):
    APPROVE = "approve"
    OBJECT = "object"
    ABSTAIN = "abstain"


class Status(StrEnum):
    OPEN = "open"
    DECIDED = "decided"
    BLOCKED = "blocked"
    NOT_DECIDED = "not_decided"


@dataclass(frozen=True)
class Outcome:
    status: Status
    approvers: tuple[str, ...]
    objectors: tuple[str, ...]
    abstainers: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def final(self) -> bool:
        """Whether voting ends with this outcome."""
        return self.status is not Status.OPEN


def outcome(
    seats: Sequence[str],
    votes: Mapping[str, Choice],
    *,
    abstention_blocks: bool,
    deadline_passed: bool,
) -> Outcome:
    """The outcome of a vote among ``seats`` given each seat's current vote.

    ``votes`` maps a seat to its current choice; a seat not in ``seats`` is ignored (it has no
    vote). The order of ``seats`` is kept in every list of the result.
    """
    if not seats:
        raise ValueError("a vote needs at least one seat")
    if len(set(seats)) != len(seats):
        raise ValueError("a seat appears twice")
    by_choice: dict[Choice | None, list[str]] = {None: [], **{c: [] for c in Choice}}
    for seat in seats:
        by_choice[votes.get(seat)].append(seat)
    approvers = tuple(by_choice[Choice.APPROVE])
    objectors = tuple(by_choice[Choice.OBJECT])
    abstainers = tuple(by_choice[Choice.ABSTAIN])
    missing = tuple(by_choice[None])

    def result(status: Status) -> Outcome:
        return Outcome(status, approvers, objectors, abstainers, missing)

    if objectors:
        return result(Status.BLOCKED)
    if missing:
        return result(Status.NOT_DECIDED if deadline_passed else Status.OPEN)
    if abstainers and (abstention_blocks or not approvers):
        return result(Status.NOT_DECIDED)
    return result(Status.DECIDED)
