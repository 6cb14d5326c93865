"""Spreadsheet plumbing shared by the editor sheets: styled tables out, validated rows back in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bot.content import texts
from bot.content.atomic import replace_with
from bot.content.errors import SheetError

if TYPE_CHECKING:
    from bot.content.gate import Problem

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
LINE_HEIGHT = 15.0
"""Points per line of wrapped text in the default 11-point font."""
MAX_ROW_HEIGHT = 409.0
"""The tallest row Excel and WPS allow (points)."""
CHOICE_ROWS = 5000
"""How far down a drop-down reaches (rows editors add at the end get it too)."""


@dataclass(frozen=True)
class Column:
    """A column: its Chinese header and its width in characters."""

    header: str
    width: float


@dataclass(frozen=True)
class Row:
    """One data row read back: its number in the sheet (header is row 1) and its cells by header."""

    number: int
    cells: dict[str, str]

    def __getitem__(self, header: str) -> str:
        return self.cells.get(header, "")


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet is replaced by the first `add_table`)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def add_table(
    workbook: Workbook, title: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]]
) -> Worksheet:
    """Add a sheet with a bold frozen header, the given widths and wrapped, top-aligned cells."""
    sheet = workbook.create_sheet(title)
    sheet.append([column.header for column in columns])
    for row in rows:
        sheet.append(list(row))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _WRAP
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = _WRAP
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, not a formula
    sheet.freeze_panes = "A2"
    return sheet


def add_notes(workbook: Workbook, title: str, lines: Sequence[str], width: float = 110) -> Worksheet:
    """Add a sheet of instructions, one paragraph per row."""
    sheet = workbook.create_sheet(title)
    for line in lines:
        sheet.append([line])
        sheet.cell(row=sheet.max_row, column=1).alignment = _WRAP
    sheet.column_dimensions["A"].width = width
    return sheet


def text_height(text: str, width: float) -> float:
    """A row height (points) that shows every line of `text` wrapped in a column `width` characters wide."""
    lines = 0
    for line in (text or "").split("\n"):
        units = sum(2 if ord(char) > 0x2E7F else 1 for char in line)
        lines += max(1, -(-units // max(1, int(width) - 1)))
    return min(MAX_ROW_HEIGHT, max(1, lines) * LINE_HEIGHT)


def add_choice(
    sheet: Worksheet, columns: Sequence[Column], header: str, choices: Sequence[str], prompt: str, error: str
) -> None:
    """Make column `header` a drop-down of `choices` (or empty) from row 2 down; other values are refused."""
    letter = get_column_letter([column.header for column in columns].index(header) + 1)
    listed = ",".join(choices)
    validation = DataValidation(
        type="list", formula1=f'"{listed}"', allow_blank=True, showDropDown=False, showErrorMessage=True
    )
    validation.prompt, validation.error = prompt, error
    validation.showInputMessage = True
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{CHOICE_ROWS}")


def save_atomically(workbook: Workbook, path: Path) -> None:
    """Save `workbook` to `path` in one step."""
    replace_with(path, lambda temporary: workbook.save(temporary))


def cell_text(value: Any) -> str:
    """A cell's value as text: numbers without a spurious `.0`, dates as ISO, newlines as LF."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        value = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _cell_problem(cell: Any, text_only: bool) -> str:
    """Why a cell cannot be imported as text ("" when it can)."""
    value, kind = cell.value, getattr(cell, "data_type", "s")
    if value is None:
        return ""
    if kind == "f":
        return texts.MSG_FORMULA.format(formula=str(value)[:40])
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            return texts.MSG_BAD_CHARACTER.format(detail=error.reason)
        return ""
    if text_only:
        return texts.MSG_NOT_TEXT.format(kind=texts.MSG_CELL_KINDS.get(kind, "数字"), value=cell_text(value))
    return ""


def read_table(path: Path, title: str, columns: Sequence[Column], text_only: Sequence[str] = ()) -> list[Row]:
    """The non-empty rows of sheet `title`; raises SheetError when the file, its header or a cell is wrong.

    A formula is always refused (its cached result would be imported unseen); a number, date or
    true/false in a `text_only` column is refused too, never converted.
    """
    expected = [column.header for column in columns]
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:
        raise SheetError(texts.ERR_CANNOT_OPEN.format(path=path, detail=error)) from error
    bad: list[str] = []
    try:
        if title not in workbook.sheetnames:
            raise SheetError(texts.ERR_NO_SHEET.format(sheet=title))
        values = []
        for number, cells in enumerate(workbook[title].iter_rows(), start=1):
            values.append([cell_text(getattr(cell, "value", None)) for cell in cells])
            for index, cell in enumerate(cells[: len(expected)]):
                problem = "" if number == 1 else _cell_problem(cell, expected[index] in text_only)
                if problem:
                    bad.append(
                        texts.ERR_ROW.format(row=number, topic="", column=expected[index], message=problem)
                    )
    except SheetError:
        raise
    except Exception as error:
        raise SheetError(texts.ERR_CANNOT_OPEN.format(path=path, detail=error)) from error
    finally:
        workbook.close()
    header = [value.strip() for value in (values[0] if values else [])][: len(expected)]
    if header != expected:
        raise SheetError(texts.ERR_HEADER.format(expected="｜".join(expected), actual="｜".join(header)))
    if bad:
        raise SheetError(texts.ERR_SUMMARY.format(count=len(bad)), *bad)
    rows = []
    for number, raw in enumerate(values[1:], start=2):
        cells = {name: (raw[index] if index < len(raw) else "") for index, name in enumerate(expected)}
        if any(value.strip() for value in cells.values()):
            rows.append(Row(number, cells))
    return rows


def in_sheet_order(problems: Iterable[Problem], columns: Sequence[Column]) -> list[Problem]:
    """`problems` row by row, each row from left to right (problems without a row first; stable)."""
    position = {column.header: index for index, column in enumerate(columns)}
    return sorted(problems, key=lambda problem: (problem.row or 0, position.get(problem.column, -1)))
