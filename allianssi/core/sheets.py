"""An import's template file: its header row and example rows, as CSV or XLSX.

Each import builds its own rows from its own column definitions (``COLUMNS`` in its
``importing`` module), so that the template cannot drift from what the import reads; this module
only writes them. CSV is UTF-8 with a byte-order mark and semicolons, as Finnish spreadsheets
open and save it; XLSX has one sheet, dates as dates."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.http import HttpResponse

Cell = str | int | Decimal | dt.date | None
#: The formats a template is served in, and their content types.
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_text(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Sequence[Sequence[Cell]], *, title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "d.m.yyyy"
            elif isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
            12, len(name) + 4
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_response(
    fmt: str, *, name: str, header: Sequence[str], rows: Sequence[Sequence[Cell]]
) -> HttpResponse:
    """The template as a download named ``name``.csv or ``name``.xlsx."""
    if fmt == "xlsx":
        content = xlsx_bytes(header, rows, title=name)
    else:
        fmt = "csv"
        content = csv_bytes(header, rows)
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def format_guide(
    aliases: dict[str, tuple[str, ...]],
    required: Sequence[str],
    help_texts: Mapping[str, object],
) -> list[dict[str, object]]:
    """The import's columns for its page's format guide: each column's accepted names, whether it
    is required, and what it holds (``help_texts``, translated lazily)."""
    return [
        {
            "key": key,
            "names": list(dict.fromkeys(names)),
            "required": key in required,
            "help": help_texts.get(key, ""),
        }
        for key, names in aliases.items()
    ]
