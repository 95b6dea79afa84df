"""The admin's spreadsheet imports (django-import-export), bounded like the commands.

The formats read the upload through goals.file_input: CSV separated by ';' or ',' in
UTF-8 or Windows-1252, XLSX read-only after its archive is checked, within the row,
column and cell limits. The admin mixin refuses a file over IMPORT_MAX_FILE_BYTES before
reading it and names what is wrong with a file in the form, never with a traceback.
"""

import tablib
from django import forms
from django.utils.translation import gettext_lazy as _
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

from goals.file_input import FileRefused, InputLimits, iter_rows, megabytes


def dataset_of(*, content: bytes, filename: str) -> tablib.Dataset:
    """The file's first sheet as a Dataset: headers in lower case as the commands read
    them, blank rows left out, short rows padded."""
    dataset = tablib.Dataset()
    for _number, cells in iter_rows(source=content, filename=filename):
        if not any(c not in (None, "") for c in cells):
            continue
        if dataset.headers is None:
            dataset.headers = [str(h or "").strip().lower() for h in cells]
            continue
        width = len(dataset.headers)
        cells = [("" if c is None else c) for c in cells][:width]
        dataset.append(cells + [""] * (width - len(cells)))
    return dataset


class BoundedCSV(CSV):
    """CSV read as bytes, so that the encoding and the separator are told from the file."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return dataset_of(content=bytes(in_stream), filename="upload.csv")

    def get_read_mode(self):
        return "rb"

    def is_binary(self):
        return True


class BoundedXLSX(XLSX):
    def create_dataset(self, in_stream, **kwargs):
        return dataset_of(content=bytes(in_stream), filename="upload.xlsx")


class BoundedImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = InputLimits.from_settings().max_bytes
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; at most %(limit)s is accepted.")
                % {"size": megabytes(upload.size), "limit": megabytes(limit)}
            )
        return upload


class BoundedImportMixin:
    """For an ImportExportModelAdmin: bounded formats, the size limit, and a clear message
    for a file that cannot be read."""

    import_formats = [BoundedCSV, BoundedXLSX]
    import_form_class = BoundedImportForm
    import_template_name = "admin/bounded_import.html"

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, FileRefused):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                _("The file cannot be read as %(formats)s.") % {"formats": "CSV (;) / XLSX"},
            )
