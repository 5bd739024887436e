"""Reminders before deadlines, hourly (the worker's ``notifications.tasks.send_reminders``, or
``manage.py notifications_remind`` by hand).

The apps that own a deadline (governance's votes, referrals' answer days) register a source here
in their ``ready()``; notifications does not import them. A source is called with the moment of
the run and how far ahead to look, sends each reminder with
:func:`allianssi.notifications.services.remind_once` (so each deadline reminds once, through the
recipients' notification settings) and returns how many it sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from allianssi.core import clock

Source = Callable[[dt.datetime, dt.timedelta], int]


@dataclass(frozen=True)
class ReminderSource:
    name: str
    send: Source
    hours: int  # how far ahead it looks unless the run says otherwise


_SOURCES: dict[str, ReminderSource] = {}


def register_reminders(name: str, send: Source, *, hours: int) -> None:
    _SOURCES[name] = ReminderSource(name, send, hours)


def sources() -> list[ReminderSource]:
    return list(_SOURCES.values())


def reminders_send(
    *, now: dt.datetime | None = None, hours: int | None = None, only: str | None = None
) -> dict[str, int]:
    """Run every registered source (or the one named ``only``), each looking ``hours`` ahead (its
    own default when not given). Returns how many reminders each sent."""
    moment = now or clock.now()
    sent: dict[str, int] = {}
    for source in _SOURCES.values():
        if only is not None and source.name != only:
            continue
        ahead = dt.timedelta(hours=source.hours if hours is None else hours)
        sent[source.name] = source.send(moment, ahead)
    return sent
