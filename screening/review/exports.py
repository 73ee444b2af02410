"""The screening log as CSV and XLSX, with the columns of an ICH E6 8.3.20 screening log.

Both formats hold the same rows and columns. Dates are the site's local dates; times are UTC
and say so. A free-text reason must never run as a formula in the investigator's spreadsheet:
in CSV a text starting with =, +, -, @ gets a leading apostrophe; in XLSX every text is stored
as a string cell, never a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from criteria.translations import language_of
from screening.models import Decision
from screening.review.log_query import LogRow

COLUMNS = [
    "Trial",
    "Screening number",
    "Episode",
    "Referral date",
    "Screening date",
    "Outcome",
    "Eligible (yes/no)",
    "Screen failure reasons (codes)",
    "Screen failure reasons (words)",
    "Criteria",
    "Recorded by",
    "Decision recorded at (UTC)",
    "Sign-off",
    "Signed off by",
    "Signed off at (UTC)",
    "Decision entry hash",
]
# CSV has no comment line that every reader skips: the heads are a documented first row,
# and the language of the labels in it (an ISO 639-1 code) its second cell.
CHAIN_AT = "Audit chain head at export: "
LANGUAGE_AT = "Language: "
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_WIDTHS = [14, 22, 8, 12, 12, 12, 10, 18, 60, 28, 24, 20, 18, 22, 20, 66]


def export_row(row: LogRow) -> list:
    """One log row as the export's cells (dates as dates, times as naive UTC datetimes)."""
    candidate, decision, signature = row.screening.candidate, row.decision, row.signature
    trial = candidate.trial.registry_id
    cells = [trial, candidate.screening_number, row.screening.episode, candidate.referral_date]
    if decision is None:
        undecided = dict.fromkeys(COLUMNS[len(cells) :], "")
        undecided.update({"Outcome": "Not decided", "Sign-off": row.signoff_state})
        return cells + list(undecided.values())
    words = [f"{r['code']} {r['label']}: {r['reason']}" for r in row.failed]
    if decision.screen_failure_reason:
        words.append(f"Closed as screen failure: {decision.screen_failure_reason}")
    return cells + [
        timezone.localtime(decision.recorded_at).date(),
        _in_english(decision.outcome),
        "yes" if decision.outcome == decision.Outcome.ELIGIBLE else "no",
        "; ".join(row.failed_codes),
        " | ".join(words),
        f"{trial} criteria version {decision.criteria_set_version}",
        _who(decision.recorded_by),
        _utc(decision.recorded_at),
        row.signoff_state,
        signature.signer_full_name if signature else "",
        _utc(signature.signed_at) if signature else None,
        decision.entry_hash,
    ]


def csv_response(rows: Iterable[LogRow], *, filename: str, chain_at: str) -> HttpResponse:
    """The log as CSV. The first row is CHAIN_AT + `chain_at` (the audit chain heads the
    export was made at) and LANGUAGE_AT + the language of its criterion labels (the active
    one: "da", "en"); the column names follow on the second row."""
    # UTF-8 with a byte order mark: Excel then reads "≥", "×" and "µ" correctly.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([CHAIN_AT + chain_at, LANGUAGE_AT + language_of()])
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in export_row(row)])
    return response


def xlsx_response(rows: Iterable[LogRow], *, filename: str, about: list[tuple]) -> HttpResponse:
    """The log on sheet "Screening log"; `about` (label, value) pairs on sheet "Export", then
    the language of the criterion labels (the active one), also the file's own language."""
    workbook = Workbook(write_only=True)
    workbook.properties.language = language_of()
    about = [*about, ("Language", language_of())]
    sheet = workbook.create_sheet("Screening log")
    for letter, width in zip("ABCDEFGHIJKLMNOP", _WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, name) for name in COLUMNS])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, cell) for cell in export_row(row)])
    info = workbook.create_sheet("Export")
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 60
    for label, value in about:
        info.append([label, _xlsx_cell(info, value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


@functools.cache
def _in_english(outcome: str) -> str:
    # The file's words are English whoever exports it, as its column names are, so a column
    # reads the same in every file; only criterion labels follow the exporter's language.
    with translation.override("en"):
        return str(Decision.Outcome(outcome).label)


def _xlsx_cell(sheet, value):
    if isinstance(value, dt.datetime):
        return _dated(sheet, value, "yyyy-mm-dd hh:mm:ss")
    if isinstance(value, dt.date):
        return _dated(sheet, value, "yyyy-mm-dd")
    if isinstance(value, str) and value.startswith("="):
        # openpyxl would store it as a formula; as a string cell it stays text, unchanged.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _bold(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    return cell


def _dated(sheet, value, number_format: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def _safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _safe(str(value))


def _utc(moment: dt.datetime) -> dt.datetime:
    # openpyxl cannot store a time zone; the column header says the times are UTC.
    return moment.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)


def _who(user) -> str:
    name = user.get_full_name().strip()
    return f"{name} ({user.get_username()})" if name else user.get_username()
