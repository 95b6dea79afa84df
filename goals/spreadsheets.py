"""Spreadsheet export formats for every admin export: text that a spreadsheet would take
for a formula (``=cmd|' /C calc'!A0``) is written with a leading apostrophe, so it opens
as text. The same rule as the budget exports (budget/resources.py); plain numbers such as
``-260028`` are numbers, not formulas, and stay as they are."""

import re

from import_export.formats import base_formats

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


def neutralise(value):
    """A text cell a spreadsheet would evaluate, with a leading apostrophe; anything
    else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.match(value):
        return "'" + value
    return value


class NeutralisingFormat:
    """Mixed into a django-import-export format: neutralise every cell before writing."""

    def export_data(self, dataset, **kwargs):
        for _ in range(dataset.height):
            row = dataset.lpop()
            dataset.append([neutralise(cell) for cell in row])
        return super().export_data(dataset, **kwargs)


class CSV(NeutralisingFormat, base_formats.CSV):
    pass


class TSV(NeutralisingFormat, base_formats.TSV):
    pass


class XLSX(NeutralisingFormat, base_formats.XLSX):
    pass


# The formats every admin offers for export.
EXPORT_FORMATS = [CSV, XLSX, TSV, base_formats.JSON]
