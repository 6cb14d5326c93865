"""What the content looked like when a FAQ sheet was exported, so an old sheet never undoes newer changes.

Export writes a hidden sheet (`STAMP_SHEET`) with an id for the sheet and, per topic, a
fingerprint of its file and its held-out test questions. Import compares them with the content
now: a topic that changed (or was deleted or created) since the export and that the sheet would
change is refused. After an import the new fingerprints of the topics it wrote are remembered
under the sheet's id (`.content-sheets.json`, not in git), so the editor may keep editing and
importing the same sheet. A sheet without the hidden sheet (made by hand) is not checked.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from bot.content import texts
from bot.content.atomic import write_atomically
from bot.content.errors import SheetError
from bot.content.paths import ProjectPaths

STAMP_SHEET = "_export_stamp"
_ID_ROW = "sheet_id"


@dataclass(frozen=True)
class Stamp:
    """A sheet's id and the fingerprint of each topic (key → fingerprint) when it was exported."""

    sheet_id: str
    topics: dict[str, str]


def fingerprint(file_text: str | None, tests: tuple[str, ...]) -> str | None:
    """A topic's fingerprint: its file and its test questions (None: the topic has no file)."""
    if file_text is None:
        return None
    data = file_text.encode("utf-8") + b"\0" + "\n".join(tests).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:20]


def current_fingerprints(paths: ProjectPaths, tests: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Every topic file's fingerprint now, by key (the file name)."""
    found = {}
    if paths.faq_dir.is_dir():
        for path in sorted(paths.faq_dir.glob("*.yml")):
            value = fingerprint(path.read_text(encoding="utf-8"), tests.get(path.stem, ()))
            if value is not None:
                found[path.stem] = value
    return found


def add_stamp(workbook: Workbook, topics: Mapping[str, str]) -> None:
    """Add the hidden stamp sheet (a new sheet id and `topics`) to an exported workbook."""
    sheet = workbook.create_sheet(STAMP_SHEET)
    sheet.append([_ID_ROW, uuid.uuid4().hex])
    for key, value in sorted(topics.items()):
        sheet.append([key, value])
    sheet.sheet_state = "veryHidden"


def read_stamp(path: Path) -> Stamp | None:
    """The stamp of an exported sheet (None when it has none); the file was already opened once."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            if STAMP_SHEET not in workbook.sheetnames:
                return None
            rows = [
                (tuple(row) + (None, None))[:2] for row in workbook[STAMP_SHEET].iter_rows(values_only=True)
            ]
        finally:
            workbook.close()
    except Exception as error:
        raise SheetError(texts.ERR_CANNOT_OPEN.format(path=path, detail=error)) from error
    values = {str(key): str(value) for key, value in rows if key and value}
    sheet_id = values.pop(_ID_ROW, "")
    return Stamp(sheet_id, values) if sheet_id else None


def _record_path(paths: ProjectPaths) -> Path:
    return paths.root / ".content-sheets.json"


def _records(paths: ProjectPaths) -> dict[str, Any]:
    try:
        loaded = json.loads(_record_path(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def base_of(stamp: Stamp, paths: ProjectPaths) -> dict[str, str | None]:
    """The fingerprints the sheet's content starts from: the export's, updated by its own earlier imports."""
    base: dict[str, str | None] = dict(stamp.topics)
    earlier = _records(paths).get(stamp.sheet_id)
    if isinstance(earlier, dict):
        base.update({str(key): (str(value) if value else None) for key, value in earlier.items()})
    return base


def remember(stamp: Stamp, paths: ProjectPaths, topics: Mapping[str, str | None]) -> None:
    """Remember the fingerprints an import of this sheet left, so importing it again is no conflict."""
    records = _records(paths)
    mine = records.get(stamp.sheet_id)
    mine = dict(mine) if isinstance(mine, dict) else {}
    mine.update(topics)
    records[stamp.sheet_id] = mine
    write_atomically(_record_path(paths), json.dumps(records, ensure_ascii=False, indent=1) + "\n")
