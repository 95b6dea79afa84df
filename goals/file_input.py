"""Bounded reading of uploaded and imported spreadsheets (CSV and XLSX).

Every import reads its file through here, so one set of limits holds for the command line
and the admin: the file's size, its rows, columns and cell length, and for a workbook the
sizes its zip archive declares, checked before any XML is parsed. Rows are streamed one at
a time; nothing is read whole into memory except the bytes of the file itself, which the
size limit bounds. A file that breaks a limit is refused with a FileRefused naming the row
where it can, never with a traceback.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings

# Text files are tried in this order; Windows-1252 is what Excel writes in Norway.
ENCODINGS = ("utf-8-sig", "cp1252")
_SCAN_CHUNK = 1024 * 1024
# openpyxl streams the worksheets but reads every other part of a workbook (shared
# strings, styles) whole, so those parts get a tighter limit than the sheets.
WHOLE_PART_MAX_BYTES = 32 * 1024 * 1024
_STREAMED_PARTS = "xl/worksheets/"


class FileRefused(ValueError):
    """The whole file is refused (too large, not a spreadsheet, a limit broken), with the
    row it happened on when there is one."""

    def __init__(self, reason: str, *, row: int | None = None):
        self.reason = reason
        self.row = row
        super().__init__(f"row {row}: {reason}" if row else reason)


@dataclass(frozen=True)
class InputLimits:
    """What a file may hold. The defaults come from the IMPORT_* settings."""

    max_bytes: int
    max_rows: int
    max_columns: int
    max_cell_chars: int
    max_uncompressed_bytes: int
    max_compression_ratio: int

    @classmethod
    def from_settings(cls, **overrides: int) -> "InputLimits":
        values = {
            "max_bytes": settings.IMPORT_MAX_FILE_BYTES,
            "max_rows": settings.IMPORT_MAX_ROWS,
            "max_columns": settings.IMPORT_MAX_COLUMNS,
            "max_cell_chars": settings.IMPORT_MAX_CELL_CHARS,
            "max_uncompressed_bytes": settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
            "max_compression_ratio": settings.IMPORT_MAX_COMPRESSION_RATIO,
        }
        values.update(overrides)
        return cls(**values)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def check_size(*, size: int, limits: InputLimits) -> None:
    if size > limits.max_bytes:
        raise FileRefused(
            f"the file is {megabytes(size)}; at most {megabytes(limits.max_bytes)} is accepted"
        )


def is_workbook_name(filename: str) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm"))


def iter_rows(
    *, source: bytes | Path, filename: str, limits: InputLimits | None = None
) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of every row of the file's first sheet, the header being row 1.

    CSV cells are strings; workbook cells are what openpyxl reads (str, int, float, date),
    never a formula's result. Raises FileRefused for a file that is not read.
    """
    limits = limits or InputLimits.from_settings()
    handle = _open(source)
    try:
        handle.seek(0, io.SEEK_END)
        check_size(size=handle.tell(), limits=limits)
        handle.seek(0)
        if is_workbook_name(filename):
            yield from _workbook_rows(handle, limits)
        else:
            yield from _csv_rows(handle, limits)
    finally:
        handle.close()


def _open(source: bytes | Path) -> IO[bytes]:
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source)
    try:
        return Path(source).open("rb")
    except OSError as exc:
        raise FileRefused(f"the file cannot be opened ({exc.strerror})") from exc


def _checked_cells(number: int, cells: list[Any], limits: InputLimits) -> list[Any]:
    if number > limits.max_rows + 1:
        raise FileRefused(f"more than {limits.max_rows} rows; split the file", row=number)
    if len(cells) > limits.max_columns:
        # Trailing empty cells (a sheet formatted far to the right) are not columns.
        while cells and cells[-1] in (None, ""):
            cells.pop()
        if len(cells) > limits.max_columns:
            raise FileRefused(f"more than {limits.max_columns} columns", row=number)
    for cell in cells:
        if isinstance(cell, str) and len(cell) > limits.max_cell_chars:
            raise FileRefused(
                f"a cell of {len(cell)} characters; at most {limits.max_cell_chars}", row=number
            )
    return cells


# --- CSV --------------------------------------------------------------------------------------


def text_encoding(handle: IO[bytes]) -> str:
    """The first of ENCODINGS the whole file decodes in, scanned in chunks (constant
    memory). A NUL byte means the file is not text at all."""
    for encoding in ENCODINGS:
        handle.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        line = 1
        try:
            while chunk := handle.read(_SCAN_CHUNK):
                nul = chunk.find(b"\x00")
                if nul >= 0:
                    raise FileRefused(
                        "a NUL byte: this is not a CSV text file",
                        row=line + chunk.count(b"\n", 0, nul),
                    )
                decoder.decode(chunk)
                line += chunk.count(b"\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        handle.seek(0)
        return encoding
    raise FileRefused("not a text file in UTF-8 or Windows-1252 (nor an .xlsx workbook)")


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") >= first_line.count(",") else ","


def _csv_rows(handle: IO[bytes], limits: InputLimits) -> Iterator[tuple[int, list[Any]]]:
    if handle.read(4) == b"PK\x03\x04":
        raise FileRefused("a zip archive or workbook, not a CSV file; name it .xlsx")
    encoding = text_encoding(handle)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    first = text.readline(limits.max_cell_chars * limits.max_columns)
    text.seek(0)
    reader = csv.reader(text, delimiter=_delimiter(first))
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, _checked_cells(number, cells, limits)
    except csv.Error as exc:
        raise FileRefused(f"not readable as CSV ({exc})", row=number + 1) from exc


# --- XLSX -------------------------------------------------------------------------------------


def check_workbook_archive(handle: IO[bytes], limits: InputLimits) -> None:
    """Refuse a workbook whose zip archive would expand beyond the limits, before any of it
    is decompressed. The sizes are those the archive declares; Python's zipfile never
    yields more than the declared size of an entry, so they also bound the reading."""
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused("not an XLSX workbook (not a zip archive)") from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > 10_000:
            raise FileRefused(f"not an XLSX workbook ({len(entries)} entries in the archive)")
        total = 0
        for entry in entries:
            total += entry.file_size
            if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                # Other methods decompress a whole read at once, unbounded.
                raise FileRefused(f"'{entry.filename}' is compressed in a way XLSX never is")
            if (
                not entry.filename.startswith(_STREAMED_PARTS)
                and entry.file_size > WHOLE_PART_MAX_BYTES
            ):
                raise FileRefused(
                    f"'{entry.filename}' expands to {megabytes(entry.file_size)}; at most "
                    f"{megabytes(WHOLE_PART_MAX_BYTES)}"
                )
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > 1024 * 1024 and ratio > limits.max_compression_ratio:
                raise FileRefused(
                    f"'{entry.filename}' expands {ratio:.0f} times "
                    f"(at most {limits.max_compression_ratio}); refused as a zip bomb"
                )
        if total > limits.max_uncompressed_bytes:
            raise FileRefused(
                f"the workbook expands to {megabytes(total)}; at most "
                f"{megabytes(limits.max_uncompressed_bytes)}"
            )
        if "[Content_Types].xml" not in archive.namelist():
            raise FileRefused("not an XLSX workbook (a zip archive without [Content_Types].xml)")
    handle.seek(0)


def _workbook_rows(handle: IO[bytes], limits: InputLimits) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    check_workbook_archive(handle, limits)
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise FileRefused(f"not a readable XLSX workbook ({type(exc).__name__})") from exc
    try:
        if not workbook.worksheets:
            raise FileRefused("the workbook has no sheet")
        sheet = workbook.worksheets[0]
        # One column more than allowed, so that a wider sheet is noticed and refused
        # rather than padded row by row to its declared width.
        rows = sheet.iter_rows(max_col=limits.max_columns + 1, values_only=True)
        number = 0
        try:
            for number, values in enumerate(rows, start=1):
                yield number, _checked_cells(number, list(values), limits)
        except FileRefused:
            raise
        except Exception as exc:
            raise FileRefused(
                f"the workbook cannot be read ({type(exc).__name__})", row=number + 1
            ) from exc
    finally:
        workbook.close()
