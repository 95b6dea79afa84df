"""Readers for the allocation letter: an XLSX workbook or a YAML file become LetterData.

The readers only take the file apart; goals.letter_import checks and saves. Neither reader
evaluates anything: YAML through safe_load, XLSX read-only with the values last saved in
the cells (formulas are never calculated here).
"""

import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from openpyxl.utils.exceptions import InvalidFileException

from goals.file_input import FileRefused, InputLimits, check_workbook_archive
from goals.letter_schema import (
    LETTER,
    MAX_CELL_CHARS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    SHEET_BY_KEY,
    SHEET_BY_NAME,
    LetterData,
    LetterFileError,
    Problem,
    Row,
)


def read_letter_file(*, name: str, content: bytes) -> LetterData:
    if len(content) > MAX_FILE_BYTES:
        raise LetterFileError(
            f"the file is {len(content) // 1024} KB; at most {MAX_FILE_BYTES // 1024} KB"
        )
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        return read_letter_xlsx(content)
    if suffix in (".yaml", ".yml"):
        return read_letter_yaml(content)
    raise LetterFileError(f"'{name}' is neither an .xlsx workbook nor a .yaml file")


# --- XLSX -------------------------------------------------------------------------------------


def read_letter_xlsx(content: bytes) -> LetterData:
    handle = BytesIO(content)
    limits = InputLimits.from_settings(max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS)
    if not zipfile.is_zipfile(handle):
        raise LetterFileError("not an XLSX workbook: not a zip archive")
    try:
        # The archive's declared sizes first: a zip bomb is refused before it is opened.
        check_workbook_archive(handle, limits)
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except FileRefused as exc:
        raise LetterFileError(str(exc)) from exc
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise LetterFileError(f"not an XLSX workbook: {exc}") from exc
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise LetterFileError(f"not a readable XLSX workbook ({type(exc).__name__})") from exc
    letter = LetterData()
    try:
        _read_sheets(letter, workbook, limits)
    except LetterFileError:
        raise
    except Exception as exc:
        raise LetterFileError(f"the workbook cannot be read ({type(exc).__name__})") from exc
    finally:
        workbook.close()
    return letter


def _read_sheets(letter: LetterData, workbook, limits: InputLimits) -> None:
    if len(workbook.worksheets) > len(SHEET_BY_NAME) * 2:
        raise LetterFileError(
            f"{len(workbook.worksheets)} sheets; a letter has {len(SHEET_BY_NAME)}"
        )
    for worksheet in workbook.worksheets:
        sheet = SHEET_BY_NAME.get(str(worksheet.title).strip())
        # A column past the limit is read, so that a too wide sheet is noticed, not padded.
        rows = _bounded(
            worksheet.iter_rows(max_col=limits.max_columns + 1, values_only=True), limits
        )
        if sheet is None:
            letter.problems.append(
                Problem(worksheet.title, 1, "-", f"unknown sheet; expected {list(SHEET_BY_NAME)}")
            )
        elif sheet is LETTER:
            _read_letter_sheet(letter, rows)
        else:
            _read_table(letter, sheet, rows)


def _bounded(rows, limits: InputLimits):
    """The rows, refusing a row with a cell past the column limit or over the cell limit."""
    for number, values in enumerate(rows, start=1):
        if len(values) > limits.max_columns and values[limits.max_columns] not in (None, ""):
            raise LetterFileError(f"row {number}: more than {limits.max_columns} columns")
        # The import names a cell over MAX_CELL_CHARS by sheet, row and column; one many
        # times longer is refused here, before it is carried any further.
        for value in values:
            if isinstance(value, str) and len(value) > 10 * MAX_CELL_CHARS:
                raise LetterFileError(
                    f"row {number}: a cell of {len(value)} characters; at most {MAX_CELL_CHARS}"
                )
        yield values[: limits.max_columns]


def _cell(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _limited(rows, letter: LetterData, sheet_name: str):
    """Numbered data rows after the header, refusing sheets longer than MAX_ROWS."""
    for number, values in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            letter.problems.append(
                Problem(sheet_name, number, "-", f"more than {MAX_ROWS} rows; split the file")
            )
            return
        if any(_cell(v) not in (None, "") for v in values):
            yield number, values


def _header(letter: LetterData, sheet, rows) -> dict[int, str] | None:
    """Column index -> field, or None when the sheet cannot be read."""
    first = next(rows, None)
    if first is None:
        return None
    by_header = {c.header.casefold(): c for c in sheet.columns}
    fields: dict[int, str] = {}
    for index, raw in enumerate(first):
        header = _cell(raw)
        if header in (None, ""):
            continue
        column = by_header.get(str(header).casefold())
        if column is None or column.field in fields.values():
            reason = "unknown column" if column is None else "column given twice"
            letter.problems.append(Problem(sheet.name, 1, str(header), reason))
            continue
        fields[index] = column.field
    missing = [c for c in sheet.columns if c.required and c.field not in fields.values()]
    for column in missing:
        letter.problems.append(Problem(sheet.name, 1, column.header, "required column missing"))
    return None if missing else fields


def _read_table(letter: LetterData, sheet, rows) -> None:
    fields = _header(letter, sheet, rows)
    if fields is None:
        return
    for number, values in _limited(rows, letter, sheet.name):
        cells = {
            name: _cell(values[index]) for index, name in fields.items() if index < len(values)
        }
        letter.add(Row(sheet, number, cells))


def _read_letter_sheet(letter: LetterData, rows) -> None:
    """Brev: a header row (Felt | Verdi), then one field a row."""
    next(rows, None)
    by_label = {c.header.casefold(): c for c in LETTER.columns}
    row = Row(LETTER, 1, {})
    for number, values in _limited(rows, letter, LETTER.name):
        label = str(_cell(values[0]) or "")
        column = by_label.get(label.casefold())
        if column is None:
            letter.problems.append(Problem(LETTER.name, number, "Felt", f"unknown field '{label}'"))
            continue
        row.values[column.field] = _cell(values[1]) if len(values) > 1 else None
        row.places[column.field] = (number, column.header)
    letter.add(row)


# --- YAML -------------------------------------------------------------------------------------


def read_letter_yaml(content: bytes) -> LetterData:
    try:
        data = yaml.safe_load(content.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
        raise LetterFileError(f"not valid YAML: {exc}") from exc
    except RecursionError as exc:
        raise LetterFileError("not valid YAML: nested too deeply") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise LetterFileError("the YAML file must be a mapping (agency, year, main_goals, ...)")
    reader = _YamlReader()
    reader.read(data)
    return reader.letter


# YAML key for each field, where it differs from the field's name.
_YAML_KEYS = {
    "priority_area": "title",
    "priority_area_unit": "responsible",
}


class _YamlReader:
    """Flattens the nested letter YAML into the same rows the workbook gives.

    The order of the rows is the order of the file, which sets the positions: specials of a
    goal's requirements come before the goal's own, as the existing letter loader does."""

    def __init__(self):
        self.letter = LetterData()

    def row(self, key: str, path: str, item: Any, **given) -> Row | None:
        sheet = SHEET_BY_KEY[key]
        if not isinstance(item, dict):
            self.letter.problems.append(Problem(sheet.name, path, "-", "expected a mapping"))
            return None
        if len(self.letter.rows.get(key, [])) >= MAX_ROWS:
            # Anchors and aliases can repeat a list many times over; stop early.
            raise LetterFileError(f"more than {MAX_ROWS} rows of {sheet.name}; split the file")
        values = {c.field: item.get(_YAML_KEYS.get(c.field, c.field)) for c in sheet.columns}
        values.update(given)
        places = {c.field: (path, _YAML_KEYS.get(c.field, c.field)) for c in sheet.columns}
        row = Row(sheet, path, values, places)
        self.letter.add(row)
        return row

    def items(self, container: dict, key: str, path: str) -> list[tuple[str, Any]]:
        value = container.get(key) or []
        if not isinstance(value, list):
            self.letter.problems.append(Problem("YAML", path, key, "must be a list"))
            return []
        prefix = f"{path}.{key}" if path else key
        return [(f"{prefix}[{i}]", v) for i, v in enumerate(value, start=1)]

    def read(self, data: dict) -> None:
        area = data.get("priority_area") or {}
        if not isinstance(area, dict):
            self.letter.problems.append(
                Problem("Satsingsområde", "priority_area", "-", "expected a mapping")
            )
            area = {}
        letter = self.row("letter", "file", {**data, **area})
        letter.places.update(
            {
                "priority_area": ("priority_area", "title"),
                "priority_area_unit": ("priority_area", "responsible"),
            }
        )
        for path, item in self.items(area, "items", "priority_area"):
            if self.row("priority_items", path, item):
                self.children(item, path, f"priority:{item.get('letter')}")
        specials_of_goals = []
        for path, goal in self.items(data, "main_goals", ""):
            if self.row("main_goals", path, goal):
                self.requirements(goal, path)
                specials_of_goals = self.items(goal, "special_reporting", path)
                for s_path, special in specials_of_goals:
                    self.special(s_path, special, goal=goal.get("code"))
        for path, topic in self.items(data, "other_reporting", ""):
            if self.row("other_reporting", path, topic):
                self.children(topic, path, f"other:{topic.get('code')}")
        self.children(data, "", None)

    def requirements(self, goal: dict, path: str) -> None:
        for r_path, requirement in self.items(goal, "requirements", path):
            if not self.row("requirements", r_path, requirement, goal=goal.get("code")):
                continue
            code = requirement.get("code")
            for d_path, deliverable in self.items(requirement, "deliverables", r_path):
                self.row("deliverables", d_path, deliverable, requirement=code)
            for s_path, special in self.items(requirement, "special_reporting", r_path):
                self.special(s_path, special, requirement=code)
            self.children(requirement, r_path, f"requirement:{code}")

    def special(self, path: str, item: Any, **parent) -> None:
        if self.row("special_reporting", path, item, **parent):
            self.children(item, path, f"special:{item.get('code')}")

    def children(self, container: dict, path: str, parent: str | None) -> None:
        """Activities and indicators under their parent; at the top they name it."""
        given = {} if parent is None else {"parent": parent}
        for a_path, item in self.items(container, "activities", path):
            position = len(self.letter.rows.get("activities", [])) + 1
            if isinstance(item, dict) and item.get("position") is not None:
                position = item["position"]
            row = self.row("activities", a_path, item, **given, position=position)
            if row is None:
                continue
            for i_path, indicator in self.items(item, "indicators", a_path):
                self.row(
                    "indicators",
                    i_path,
                    indicator,
                    parent=row.values["parent"],
                    activity=position,
                )
        for i_path, indicator in self.items(container, "indicators", path):
            self.row("indicators", i_path, indicator, **given)
