"""The 2006 data in fixtures/goals/ loads, and exporting it reproduces the files."""

import pytest
import yaml

from goals.loaders import dump_yaml, load_goals_demo
from goals.models import Activity, ReportingPeriod, ResultRequirement
from goals.selectors import export_form, export_letter, export_report
from imdi_reporting.services import FIXTURES_DIR
from tests.goals.test_loaders import comparable

DIRECTORY = FIXTURES_DIR / "goals"
FILES = {
    "letter": DIRECTORY / "letter_2006.yaml",
    "report": DIRECTORY / "report_2006-H1.yaml",
    "form": DIRECTORY / "form_2006-H1.yaml",
}


@pytest.fixture
def loaded(organisation):
    if not FILES["letter"].exists():
        pytest.skip("the 2006 letter is not in fixtures/goals yet")
    load_goals_demo(directory=DIRECTORY)
    return ReportingPeriod.objects.select_related("budget_year__agency").get(kind="H1")


def test_all_sixteen_requirements_are_loaded(loaded):
    assert ResultRequirement.objects.count() == 16


@pytest.mark.parametrize("name", ["letter", "report", "form"])
def test_exporting_reproduces_the_source_file(loaded, name):
    if not FILES[name].exists():
        pytest.skip(f"{FILES[name].name} is not in fixtures/goals yet")
    exported = {
        "letter": lambda: export_letter(budget_year=loaded.budget_year),
        "report": lambda: export_report(period=loaded),
        "form": lambda: export_form(period=loaded),
    }[name]()
    source = yaml.safe_load(FILES[name].read_text(encoding="utf-8"))
    assert comparable(yaml.safe_load(dump_yaml(exported))) == comparable(source)


def test_the_form_rows_are_loaded_in_order(loaded):
    if not FILES["form"].exists():
        pytest.skip("the form is not in fixtures/goals yet")
    rows = yaml.safe_load(FILES["form"].read_text(encoding="utf-8"))["form_rows"]
    assert list(Activity.objects.values_list("indicator_text", flat=True)) == [
        row.get("indicator") or "" for row in rows
    ]


def test_every_requirement_page_of_2006_h1_renders(loaded, client_for):
    from django.urls import reverse

    client = client_for("aid")
    for code in ResultRequirement.objects.values_list("code", flat=True):
        page = client.get(reverse("goals:requirement-detail", args=["2006-H1", code]))
        assert page.status_code == 200, code
        assert code in page.text


def test_the_ne_editor_can_work_on_r1_3_in_the_open_year(loaded, client_for):
    from django.urls import reverse

    from goals.models import StatusUpdate

    activity = Activity.objects.filter(requirement__code="R1-3").first()
    if activity is None:
        pytest.skip("the form has no row under R1-3")
    url = reverse("goals:edit-status-update", args=["2006", activity.position])
    client = client_for("ne")
    response = client.post(url, {"attainment": "Årsrapport.", "status": "on_track", "version": 0})
    assert response.status_code == 302
    assert StatusUpdate.objects.get(activity=activity, period__kind="Y").attainment == "Årsrapport."


def test_the_section_pages_of_2006_h1_render(loaded, client_for):
    from django.urls import reverse

    from goals.models import MainGoal, OtherReportingTopic

    client = client_for("aid")
    codes = [
        "satsing",
        *MainGoal.objects.values_list("code", flat=True),
        *OtherReportingTopic.objects.values_list("code", flat=True),
    ]
    for code in codes:
        page = client.get(reverse("goals:requirement-detail", args=["2006-H1", code]))
        assert page.status_code == 200, code
