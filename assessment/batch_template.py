"""Fill-in templates for batches of results: Excel (``Scores`` + an explanation sheet) or CSV.

A template speaks the assessor's language (``lang``: ``nl`` or ``en``): its column headers, the
explanation sheet and the cell checks. An import (:mod:`assessment.batch`) reads both languages,
so a template downloaded in Dutch imports back, and so does one saved from Excel as CSV.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from assessment import cefr
from assessment.instrument import get_instrument
from foundation.errors import InputError, Problem
from foundation.uploads import DEFAULT_LIMITS

SCORES_SHEET = "Scores"
MAX_ROWS = DEFAULT_LIMITS.max_rows
_PARTICIPANT_ID = re.compile(r"^P-[0-9A-Z]{6}$")

#: Every word of a template, per language. The import accepts the words of each language.
WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "info_sheet": "Uitleg", "instrument": "instrument", "version": "versie", "participant": "deelnemer",
        "date": "datum", "comment": "opmerking", "participant_header": "Deelnemer-ID",
        "date_header": "Datum (JJJJ-MM-DD)", "comment_header": "Opmerking", "title": "Titel",
        "instructions": "Instructies", "fill_in": "Invullen",
        "how": "Eén rij per deelnemer. Deelnemer-ID (bv. P-7F3K2A) en datum zijn verplicht; laat een score leeg "
               "als het item niet getest werd. Wijzig de kolomkoppen niet.",
        "scale": "Schaal", "meaning": "Betekenis", "levels": "ERK-niveaus", "item": "Item", "text": "Tekst",
        "anchors": "Gedragsankers", "level_title": "ERK-niveau", "level_error": "Kies A0, A1.1, A1.2 … C2 (A1 = A1.2)",
        "score_error": "Geef een geheel getal van {min} tot {max}", "date_error": "Geef een datum (JJJJ-MM-DD)",
    },
    "en": {
        "info_sheet": "Instructions", "instrument": "instrument", "version": "version",
        "participant": "participant", "date": "date", "comment": "comment", "participant_header": "Participant ID",
        "date_header": "Date (YYYY-MM-DD)", "comment_header": "Comment", "title": "Title",
        "instructions": "Instructions", "fill_in": "Filling in",
        "how": "One row per participant. Participant ID (e.g. P-7F3K2A) and date are required; leave a score "
               "empty when the item was not tested. Do not change the column headers.",
        "scale": "Scale", "meaning": "Meaning", "levels": "CEFR levels", "item": "Item", "text": "Text",
        "anchors": "Anchors", "level_title": "CEFR level", "level_error": "Choose A0, A1.1, A1.2 … C2 (A1 = A1.2)",
        "score_error": "Give a whole number from {min} to {max}", "date_error": "Give a date (YYYY-MM-DD)",
    },
}
INFO_SHEETS = tuple(w["info_sheet"] for w in WORDS.values())


def words(lang: str) -> dict[str, str]:
    """The template words of ``lang`` (Dutch for any language werkbrug has no template words for)."""
    return WORDS.get(lang, WORDS["nl"])


def item_header(item, lang: str = "nl") -> str:
    """``item_id | text`` (the import reads the id before the bar)."""
    return f"{item.id} | {getattr(item.text, lang, None) or item.text.nl}"


def write_template(
    instrument_id: str, path: str | Path, *, version: str | None = None, participant_ids: list[str] | None = None,
    lang: str = "nl",
) -> Path:
    """Write a fill-in sheet for ``instrument_id`` (``.xlsx``, or ``.csv`` by the suffix of ``path``) in ``lang``."""
    instrument = get_instrument(instrument_id, version)
    path, w = Path(path), words(lang)
    bad = [pid for pid in participant_ids or [] if not _PARTICIPANT_ID.match(pid)]
    if bad:  # also keeps formulas (=HYPERLINK…) out of the sheet
        raise InputError("Not participant ids", [Problem(f"{pid!r} is not a participant id such as P-7F3K2A",
                                                         column="participant", code="batch.not_a_participant_id",
                                                         params={"value": pid}) for pid in bad[:20]],
                         code="batch.not_participant_ids")
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f, delimiter=";")
            out.writerow([w["instrument"], w["version"], w["participant"], w["date"], w["comment"],
                          *[i.id for i in instrument.items]])
            for pid in participant_ids or []:
                out.writerow([instrument.id, instrument.version, pid, "", "", *["" for _ in instrument.items]])
        return path
    if path.suffix.lower() != ".xlsx":
        raise InputError("A template is an .xlsx or .csv file",
                         [Problem("use .xlsx or .csv", file=str(path), code="batch.template_suffix")],
                         code="batch.template_type")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SCORES_SHEET
    headers = [w["participant_header"], w["date_header"], w["comment_header"],
               *[item_header(i, lang) for i in instrument.items]]
    ws.append(headers)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for col, _ in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = 16 if col <= 3 else 22
    ws.row_dimensions[1].height = 60
    ws.freeze_panes = "D2"
    for pid in participant_ids or []:
        ws.append([pid])
    last = get_column_letter(len(headers))
    if instrument.kind == "language":
        dv = DataValidation(type="list", formula1=f'"{",".join(cefr.ASSESSMENT_CHOICES)}"', allow_blank=True,
                            errorTitle=w["level_title"], error=w["level_error"])
    else:
        dv = DataValidation(type="whole", operator="between", formula1=str(instrument.scale.min),
                            formula2=str(instrument.scale.max), allow_blank=True, errorTitle="Score",
                            error=w["score_error"].format(min=instrument.scale.min, max=instrument.scale.max))
    dv.add(f"D2:{last}{MAX_ROWS + 1}")
    ws.add_data_validation(dv)
    date_dv = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                             error=w["date_error"])
    date_dv.add(f"B2:B{MAX_ROWS + 1}")
    ws.add_data_validation(date_dv)
    _info_sheet(wb.create_sheet(w["info_sheet"]), instrument, lang, w)
    wb.save(path)
    return path


def _info_sheet(info, instrument, lang: str, w: dict[str, str]) -> None:
    """The explanation sheet: instrument and version (read back by the import), instructions, scale, items."""
    def text(bilingual) -> str:
        return getattr(bilingual, lang, None) or bilingual.nl

    info.append(["Instrument", instrument.id])
    info.append([w["version"].capitalize(), instrument.version])
    info.append([w["title"], text(instrument.title)])
    info.append([w["instructions"], text(instrument.instructions)])
    info.append([])
    info.append([w["fill_in"], w["how"]])
    info.append([])
    if instrument.scale is not None:
        info.append([w["scale"], w["meaning"]])
        for point in range(instrument.scale.min, instrument.scale.max + 1):
            info.append([point, text(instrument.scale.labels[point])])
    else:
        info.append([w["levels"], ", ".join(cefr.ASSESSMENT_CHOICES), "A1 = A1.2, A2 = A2.2, B1 = B1.2, B2 = B2.2"])
    info.append([])
    info.append([w["item"], w["text"], w["anchors"]])
    for item in instrument.items:
        anchors = "; ".join(f"{k}: {text(v)}" for k, v in sorted(item.anchors.items()))
        info.append([item.id, text(item.text), anchors])
    for col, width in zip("ABC", (22, 60, 80), strict=True):
        info.column_dimensions[col].width = width
    for row in info.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    for r in (1, 2):
        info.cell(row=r, column=1).font = bold
