"""Printable documents of the leadership group (minutes, decision register) as HTML and PDF.

Documents are rendered in the alliance's own language (``Alliance.language``), whoever asks.
PDFs are made by WeasyPrint from the same HTML, as tagged PDF/UA for screen readers; WeasyPrint
fetches nothing: the stylesheet is read from the app's own files and every other URL is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

PRINT_CSS = Path(settings.BASE_DIR) / "allianssi" / "static" / "allianssi" / "print.css"


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (Pango) are missing."""


def render_document(template: str, context: dict[str, Any], *, language: str) -> str:
    with translation.override(language):
        return render_to_string(template, {**context, "document_language": language})


def pdf_from_html(html: str) -> bytes:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango cannot be loaded
        raise PdfUnavailable(str(exc)) from exc
    from weasyprint.urls import URLFetcher

    # No protocol is allowed: a document never fetches anything (no network, no files).
    document = weasyprint.HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=()))
    pdf = document.write_pdf(
        stylesheets=[weasyprint.CSS(filename=str(PRINT_CSS))], pdf_variant="pdf/ua-1"
    )
    assert pdf is not None
    return bytes(pdf)
