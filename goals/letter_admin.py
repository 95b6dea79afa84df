"""The admin's letter import page: upload, preview (a dry run), confirm.

Between preview and confirm the uploaded bytes wait in a file under MEDIA_ROOT with a
random name; the page carries only a token signed for the user who uploaded, valid for an
hour, so nobody can point the confirm step at another file or another user's upload.
"""

import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from goals.forms import LetterConfirmForm, LetterUploadForm
from goals.letter_formats import read_letter_file
from goals.letter_import import LetterImportResult, import_letter
from goals.letter_schema import MAX_FILE_BYTES, LetterFileError

UPLOAD_DIR = "letter_imports"
UPLOAD_MAX_AGE = 60 * 60
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(xlsx|yaml|yml)$")


class UploadGone(Exception):
    """The token is forged, expired or its file already used."""


def _upload_dir() -> Path:
    directory = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def stash_upload(*, content: bytes, name: str, user) -> str:
    directory = _upload_dir()
    # Previews that were never confirmed are cleared out here rather than by a cron job.
    for old in directory.iterdir():
        if old.stat().st_mtime < time.time() - UPLOAD_MAX_AGE:
            old.unlink(missing_ok=True)
    stored = f"{secrets.token_hex(16)}{Path(name).suffix.lower()}"
    (directory / stored).write_bytes(content)
    return signing.dumps({"stored": stored, "name": name}, salt=f"goals.letter-import.{user.pk}")


def take_upload(*, token: str, user) -> tuple[str, bytes]:
    """The stashed file's name and content; the file is removed, a token works once."""
    try:
        data = signing.loads(token, salt=f"goals.letter-import.{user.pk}", max_age=UPLOAD_MAX_AGE)
    except signing.BadSignature as exc:
        raise UploadGone from exc
    stored = str(data.get("stored", ""))
    path = _upload_dir() / stored
    if not _STORED_NAME.match(stored) or not path.is_file():
        raise UploadGone
    content = path.read_bytes()
    path.unlink(missing_ok=True)
    return str(data.get("name", stored)), content


@dataclass
class LetterStep:
    """What the page shows next; `imported` is set once the letter is saved."""

    context: dict = field(default_factory=dict)
    imported: LetterImportResult | None = None


def letter_import_step(*, data, files, user) -> LetterStep:
    if data is None:
        return LetterStep({"form": LetterUploadForm()})
    if "token" in data:
        return _confirm(data, user)
    return _preview(data, files, user)


def _preview(data, files, user) -> LetterStep:
    form = LetterUploadForm(data, files)
    if not form.is_valid():
        return LetterStep({"form": form})
    upload, budget_year = form.cleaned_data["file"], form.cleaned_data["budget_year"]
    # One byte past the limit is enough for the reader to refuse a file as too large.
    content = upload.read(MAX_FILE_BYTES + 1)
    try:
        letter = read_letter_file(name=upload.name, content=content)
    except LetterFileError as exc:
        form.add_error("file", str(exc))
        return LetterStep({"form": form})
    result = import_letter(
        data=letter, agency=budget_year.agency, year=budget_year.year, dry_run=True
    )
    context = {"form": form, "result": result, "budget_year": budget_year}
    if result.ok:
        token = stash_upload(content=content, name=upload.name, user=user)
        context["confirm"] = LetterConfirmForm(
            initial={"token": token, "budget_year": budget_year.pk}
        )
    return LetterStep(context)


def _confirm(data, user) -> LetterStep:
    form = LetterConfirmForm(data)
    expired = _("The preview has expired or was already imported; upload the file again.")
    if not form.is_valid():
        return LetterStep({"form": LetterUploadForm(), "error": expired})
    budget_year = form.cleaned_data["budget_year"]
    try:
        name, content = take_upload(token=form.cleaned_data["token"], user=user)
        letter = read_letter_file(name=name, content=content)
    except (UploadGone, LetterFileError):
        return LetterStep({"form": LetterUploadForm(), "error": expired})
    result = import_letter(data=letter, agency=budget_year.agency, year=budget_year.year)
    if not result.ok:
        # The year changed between preview and confirm; show why nothing was saved.
        form = LetterUploadForm(initial={"budget_year": budget_year.pk})
        return LetterStep({"form": form, "result": result, "budget_year": budget_year})
    return LetterStep({"budget_year": budget_year}, imported=result)


def imported_message(*, step: LetterStep) -> str:
    counts = step.imported.counts.values()
    return _(
        "The allocation letter for %(year)s is imported: %(created)s rows created, "
        "%(updated)s updated."
    ) % {
        "year": step.context["budget_year"],
        "created": sum(c["created"] for c in counts),
        "updated": sum(c["updated"] for c in counts),
    }
