"""Every Norwegian catalogue is complete and its compiled .mo matches the .po."""

import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(
    p for p in ROOT.glob("**/locale/nb/LC_MESSAGES/django.po") if ".venv" not in p.parts
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
    names = {p.relative_to(ROOT).parts[0] for p in CATALOGUES}
    assert {"locale", "goals"} <= names


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
