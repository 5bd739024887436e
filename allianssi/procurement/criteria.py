"""The suitability criteria's questions in the user's language (keys: ``assessment.CRITERIA``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

QUESTIONS: dict[str, tuple[Any, Any]] = {
    "need_uncertainty": (
        _("Uncertain, changing service need"),
        _(
            "How uncertain is the service need, and how much is it expected to change during the "
            "term? (1 = stable and known, 5 = highly uncertain)"
        ),
    ),
    "joint_development": (
        _("Need for joint development"),
        _(
            "How much must the services be developed together with the producers? "
            "(1 = a ready service is bought, 5 = developed together throughout)"
        ),
    ),
    "risk_sharing": (
        _("Readiness to share risk and reward"),
        _("How ready is your organisation to share risks and rewards with the producers?"),
    ),
    "open_books": (
        _("Readiness for open books"),
        _("How ready is your organisation to budget and be invoiced on open books?"),
    ),
    "procurement_competence": (
        _("Procurement competence"),
        _(
            "How much competence in negotiated procedures and alliance contracts is available to "
            "you, in-house or through a joint procurement unit?"
        ),
    ),
    "pooled_resources": (
        _("Resources to pool"),
        _("How much money and staff time can your organisation pool into the alliance?"),
    ),
}
#: The generic answer scale, for a question that gives no scale of its own.
SCALE: dict[int, Any] = {
    1: _("1 – not at all"),
    2: _("2 – a little"),
    3: _("3 – partly"),
    4: _("4 – largely"),
    5: _("5 – fully"),
}

_READY: dict[int, Any] = {
    1: _("1 – not ready"),
    2: _("2 – a little ready"),
    3: _("3 – partly ready"),
    4: _("4 – largely ready"),
    5: _("5 – fully ready"),
}
_AMOUNT: dict[int, Any] = {
    1: _("1 – none"),
    2: _("2 – a little"),
    3: _("3 – some"),
    4: _("4 – a lot"),
    5: _("5 – as much as is needed"),
}

#: Each criterion's answers, on the scale its question asks in: the ends as the question names
#: them ("1 = stable and known"), and the steps between them in the same words.
SCALES: dict[str, dict[int, Any]] = {
    "need_uncertainty": {
        1: _("1 – stable and known"),
        2: _("2 – fairly stable"),
        3: _("3 – somewhat uncertain"),
        4: _("4 – quite uncertain"),
        5: _("5 – highly uncertain"),
    },
    "joint_development": {
        1: _("1 – a ready service is bought"),
        2: _("2 – a little development together"),
        3: _("3 – partly developed together"),
        4: _("4 – largely developed together"),
        5: _("5 – developed together throughout"),
    },
    "risk_sharing": _READY,
    "open_books": _READY,
    "procurement_competence": _AMOUNT,
    "pooled_resources": _AMOUNT,
}
