"""What a decision puts into effect, for proposals that other parts of Allianssi draft.

The leadership group decides; the part that drafted the proposal acts on the decision. A kind of
proposal registers, from its app's ``ready()``, a function run inside the transaction that closes
the proposal as decided, optionally one run when it closes blocked or not decided (to let go of
what waited for it; nothing is put into effect then), and a function that names the proposal's
subject for its page. Governance imports no other app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from allianssi.governance.models import Decision, Proposal

GENERAL = "general"


@dataclass(frozen=True)
class Subject:
    """What a proposal is about, for a link on its page."""

    label: str
    url: str


@dataclass(frozen=True)
class Kind:
    on_decided: Callable[[Decision], None]
    subject: Callable[[Proposal], Subject | None]
    on_undecided: Callable[[Proposal], None] | None = None


_KINDS: dict[str, Kind] = {}


def register(
    kind: str,
    *,
    on_decided: Callable[[Decision], None],
    subject: Callable[[Proposal], Subject | None],
    on_undecided: Callable[[Proposal], None] | None = None,
) -> None:
    if kind == GENERAL:
        raise ValueError("the general kind has no effect to register")
    _KINDS[kind] = Kind(on_decided=on_decided, subject=subject, on_undecided=on_undecided)


def known(kind: str) -> bool:
    return kind == GENERAL or kind in _KINDS


def decided(decision: Decision) -> None:
    """Put a decision into effect (called by the closing service, inside its transaction)."""
    registered = _KINDS.get(decision.proposal.kind)
    if registered is not None:
        registered.on_decided(decision)


def undecided(proposal: Proposal) -> None:
    """A proposal closed blocked or not decided (called by the closing service, inside its
    transaction): its kind lets go of what waited for the decision."""
    registered = _KINDS.get(proposal.kind)
    if registered is not None and registered.on_undecided is not None:
        registered.on_undecided(proposal)


def subject(proposal: Proposal) -> Subject | None:
    registered = _KINDS.get(proposal.kind)
    return registered.subject(proposal) if registered is not None else None
