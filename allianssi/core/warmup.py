"""What a server process does when it starts, so that its first request does not wait for it.

Without it, the first request a gunicorn worker serves imports every view module (through the
URLconf), builds the URL patterns' lookups, loads the translation catalogues and compiles the
site's frame: about 0.3 s of the 0.4 s that request took, against 0.015–0.05 s for the next ones
(``config/wsgi.py`` calls :func:`warm_up`; docs/production.md). Nothing here touches the
database, so a server that loads the app before it forks its workers shares no connection.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation


def warm_up() -> None:
    """Import the views, build the URL lookups in each language (the public catalogue has an
    address per language), load each language's translations, and compile ``base.html``."""
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        # Activating a language loads its translations.
        with translation.override(code):
            # Reading the lookups builds them for the active language (every view imported).
            resolver.reverse_dict  # noqa: B018
    get_template("base.html")
