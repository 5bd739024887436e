"""The section navigation and breadcrumbs of the pages inside an alliance, for ``base.html``."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from allianssi.alliances import navigation


def alliance_navigation(request: HttpRequest) -> dict[str, object]:
    """``alliance_nav``: the :class:`~allianssi.alliances.navigation.Navigation` of the page, or
    ``None`` outside an alliance. Worked out only when a template asks (``base.html`` does; an
    e-mail or a printable document does not)."""
    return {"alliance_nav": SimpleLazyObject(lambda: navigation.for_request(request))}
