"""Every Norwegian catalogue, bokmål and nynorsk, holds every message of the source, each
translated, and its compiled .mo matches the .po."""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("nb", "nn")
APPS_WITH_CATALOGUES = ("goals", "budget", "settlement")
CATALOGUES = sorted(
    p
    for language in LANGUAGES
    for p in ROOT.glob(f"**/locale/{language}/LC_MESSAGES/django.po")
    if ".venv" not in p.parts
)
# Flags, then any "#|" lines with a fuzzy match's previous msgid, then the entry.
ENTRY = re.compile(
    r'(?:^#, (?P<flags>.*)\n)?(?:^#\|.*\n)*^msgid (?P<id>(?:".*"\n)+)^msgstr (?P<str>(?:".*"\n)+)',
    re.M,
)


def unquote(block: str) -> str:
    return "".join(
        bytes(line.strip()[1:-1], "utf-8")
        .decode("unicode_escape")
        .encode("latin-1")
        .decode("utf-8")
        for line in block.strip().splitlines()
    )


def entries(po: Path) -> dict[str, tuple[str, str]]:
    found = {}
    for match in ENTRY.finditer(po.read_text(encoding="utf-8")):
        msgid = unquote(match["id"])
        if msgid:
            found[msgid] = (unquote(match["str"]), match["flags"] or "")
    return found


def test_there_are_catalogues_for_the_project_and_the_apps():
    for language in LANGUAGES:
        names = {p.relative_to(ROOT).parts[0] for p in CATALOGUES if language in p.parts}
        assert {"locale", *APPS_WITH_CATALOGUES} <= names, language


@pytest.mark.parametrize(
    "po", [p for p in CATALOGUES if "nb" in p.parts], ids=lambda p: str(p.relative_to(ROOT))
)
def test_nynorsk_has_every_message_bokmal_has(po):
    nynorsk = po.parents[2] / "nn" / "LC_MESSAGES" / "django.po"
    assert sorted(entries(nynorsk)) == sorted(entries(po))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """The catalogues as makemessages writes them from today's code and templates, in a
    copy of the project, so that a message missing from a catalogue is noticed."""
    require_tool("xgettext")
    copy = tmp_path_factory.mktemp("messages") / "project"
    ignore = shutil.ignore_patterns(".venv", ".git", "tests", "bench", "node_modules", "*.mo")
    shutil.copytree(ROOT, copy, ignore=ignore)
    for folder in (copy, *(copy / app for app in APPS_WITH_CATALOGUES)):
        extra = (
            ["--ignore", "goals", "--ignore", "budget", "--ignore", "settlement"]
            if folder == copy
            else []
        )
        subprocess.run(
            [
                sys.executable,
                str(copy / "manage.py"),
                "makemessages",
                "--locale",
                "nb",
                "--no-location",
                "--no-obsolete",
                *extra,
            ],
            cwd=folder,
            check=True,
            capture_output=True,
            env={"DEBUG": "1", "PATH": "/usr/bin:/bin"},
        )
    return copy


@pytest.mark.parametrize("folder", ["locale", *(f"{app}/locale" for app in APPS_WITH_CATALOGUES)])
def test_every_message_of_the_source_is_in_the_catalogues(extracted, folder):
    wanted = set(entries(extracted / folder / "nb" / "LC_MESSAGES" / "django.po"))
    for language in LANGUAGES:
        have = set(entries(ROOT / folder / language / "LC_MESSAGES" / "django.po"))
        assert sorted(wanted - have) == [], language


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated(po):
    missing = [
        msgid for msgid, (msgstr, flags) in entries(po).items() if not msgstr or "fuzzy" in flags
    ]
    assert missing == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_compiled_catalogue_is_up_to_date(po):
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, (msgstr, _flags) in entries(po).items():
        assert compiled.gettext(msgid) == msgstr, msgid
