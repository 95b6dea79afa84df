"""The site names the organisation the user works in; no agency's name is in the code."""

import re
from pathlib import Path

import yaml
from django.conf import settings
from django.urls import reverse

from goals.models import Agency, Ministry

ROOT = Path(settings.BASE_DIR)
FIXTURES = ROOT / "fixtures/goals/organisation.yaml"


def test_the_title_and_footer_name_the_users_agency(client_for):
    page = client_for("ne").get(reverse("home")).text
    agency = Agency.objects.get(code="IMDi")
    assert re.search(r"<title>[^<]* \u2013 IMDi</title>", page)
    assert f"{agency.name} ({agency.code})" in page


def test_a_ministry_reader_sees_the_ministrys_name(client_for):
    page = client_for("aid").get(reverse("home")).text
    ministry = Ministry.objects.get(code="AID")
    assert f"{ministry.name} ({ministry.code})" in page
    assert Agency.objects.get(code="IMDi").name not in page.split('class="site-footer"')[1]


def test_the_login_page_carries_only_the_product_name(client, organisation):
    page = client.get(reverse("login")).text
    assert "IMDi" not in page
    assert "Mål- og resultatstyring" in page


def test_a_renamed_agency_is_named_everywhere_at_once(client_for):
    Agency.objects.filter(code="IMDi").update(name="Et annet navn")
    page = client_for("ne").get(reverse("home")).text
    assert "Et annet navn (IMDi)" in page
    assert "Integrerings- og mangfoldsdirektoratet" not in page


def test_no_agency_or_ministry_name_is_written_into_code_or_templates():
    data = yaml.safe_load(FIXTURES.read_text(encoding="utf-8"))
    names = {a["name"] for a in data["agencies"]} | {m["name"] for m in data["ministries"]}
    codes = {a["code"] for a in data["agencies"]}
    words = re.compile("|".join(re.escape(w) for w in sorted(names | codes)))
    sources = [
        path
        for folder in ("goals", "budget", "settlement", "imdi_reporting", "templates")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".html", ".txt", ".css"} and "migrations" not in path.parts
    ]
    assert len(sources) > 50
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sources
        for match in words.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
