"""What every part of the demo shares: its names, its users, its parties' made-up
identifiers and ``replay``, which writes the story on its own dates."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from stdnum.fi import ytunnus

from allianssi.alliances.models import Role
from allianssi.core import clock

DEMO_PASSWORD = "Allianssi-demo-2026"
MAIN_ALLIANCE = "Pirkanmaan kasvupalveluallianssi"

#: (user name, organisation key, first name, last name, roles in the main alliance)
DEMO_USERS: list[tuple[str, str, str, str, list[str]]] = [
    ("projektitoimisto", "region", "Paula", "Projektipäällikkö", [Role.MANAGER, Role.LEADERSHIP]),
    ("johtoryhma.tampere", "tampere", "Tuomas", "Tamminen", [Role.LEADERSHIP]),
    ("controller.nokia", "nokia", "Noora", "Nieminen", [Role.CONTROLLER]),
    ("tuottaja.tyopolku", "tyopolku", "Ville", "Virtanen", [Role.PRODUCER_STAFF, Role.LEADERSHIP]),
    ("tarkastaja", "", "Aino", "Auditoija", [Role.OBSERVER]),
    ("satakunta", "satakunta", "Sanna", "Salo", []),
]


#: Producers whose people get their roles when the award has made them members.
PRODUCER_KEYS = {"tyopolku", "kasvuvoima", "yrityskehitys", "osaajat", "digiosaajat"}

#: Each organizer's suitability scores, in the order of ``assessment.CRITERIA``.
SUITABILITY: dict[str, tuple[int, ...]] = {
    "region": (5, 5, 4, 4, 4, 4),
    "tampere": (5, 4, 4, 5, 5, 5),
    "nokia": (4, 4, 3, 3, 2, 3),
    "ylojarvi": (4, 5, 4, 4, 2, 3),
    "kangasala": (3, 4, 4, 4, 3, 3),
    "lempaala": (4, 3, 2, 3, 2, 2),
    "ylapirkanmaa": (5, 5, 3, 4, 1, 2),
}


#: Bank accounts for the demo parties (valid IBANs of Finnish test accounts).
DEMO_IBANS = ["FI2112345600000785", "FI5810171000000122", "FI4250001510000023"]


def demo_business_id(seed: int) -> str:
    """A valid-looking Y-tunnus for a demo party registered without one."""
    number = 7300000 + seed * 17
    while True:  # a number whose check digit exists (a remainder of 1 has none)
        for digit in "0123456789":
            if ytunnus.is_valid(f"{number:07d}-{digit}"):
                return f"{number:07d}-{digit}"
        number += 1


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@contextmanager
def replay(day: str) -> Iterator[None]:
    """Write the demo's history on its own dates: inside, "now" is 10:00 on ``day`` in
    Helsinki, ticking a second per reading, so decisions, votes and audit records carry the
    dates the story tells. Only the demo does this; the services read the one clock as always."""
    start = dt.datetime.fromisoformat(f"{day}T10:00:00").replace(tzinfo=clock.HELSINKI)
    ticks = itertools.count()

    def now() -> dt.datetime:
        return (start + dt.timedelta(seconds=next(ticks))).astimezone(dt.UTC)

    with mock.patch("django.utils.timezone.now", now):
        yield
