"""Importing a whole allocation letter (tildelingsbrev) from XLSX or YAML, by command and admin."""

import io
from datetime import date
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse

from goals.letter_formats import read_letter_file
from goals.letter_import import import_letter
from goals.loaders import load_letter, load_organisation
from goals.models import (
    Activity,
    Agency,
    BudgetYear,
    Deliverable,
    Indicator,
    MainGoal,
    OtherReportingTopic,
    PriorityArea,
    PriorityItem,
    ResultRequirement,
    SpecialReportingRequirement,
)
from imdi_reporting.services import FIXTURES_DIR
from tests.data.ftd.workbook import SHEETS, write_workbook

FTD = Path(__file__).resolve().parent.parent / "data" / "ftd"


@pytest.fixture
def ftd(organisation):
    load_organisation(path=FTD / "organisation.yaml")
    return Agency.objects.get(code="FTD")


@pytest.fixture
def ftd_xlsx(tmp_path) -> Path:
    return write_workbook(tmp_path / "letter_2006.xlsx")


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_letter", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fail(*args) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_letter", *map(str, args), stdout=io.StringIO(), stderr=err)
    return str(error.value), err.getvalue()


PARENTED = ("budget_year", "requirement", "priority_item", "special", "other_topic")
# What the comparison reads of each kind: the model, how it reaches the year, its fields.
CONTENT = {
    "area": (PriorityArea, "budget_year", ("title", "responsible_unit")),
    "items": (PriorityItem, "area__budget_year", ("letter", "text")),
    "goals": (MainGoal, "budget_year", ("code", "title", "position")),
    "requirements": (
        ResultRequirement,
        "main_goal__budget_year",
        ("main_goal", "code", "text", "responsible_unit", "position"),
    ),
    "deliverables": (
        Deliverable,
        "requirement__main_goal__budget_year",
        ("requirement", "due", "title"),
    ),
    "specials": (
        SpecialReportingRequirement,
        "budget_year",
        ("code", "text", "requirement", "main_goal", "responsible_unit", "position"),
    ),
    "topics": (
        OtherReportingTopic,
        "budget_year",
        ("code", "title", "text", "responsible_unit", "position"),
    ),
    "activities": (
        Activity,
        "budget_year",
        (*PARENTED, "position", "activity", "indicator_text"),
    ),
    "indicators": (
        Indicator,
        "budget_year",
        (
            *PARENTED,
            "code",
            "activity",
            "name",
            "unit",
            "target",
            "target_date",
            "direction",
            "baseline",
            "baseline_text",
            "note",
            "position",
        ),
    ),
}


def content(agency_code: str, year: int = 2006) -> dict:
    """The letter's rows of one budget year by natural key, without database ids."""
    budget_year = BudgetYear.objects.get(agency__code=agency_code, year=year)
    found = {"settlement": str(budget_year.settlement_requirement)}
    for name, (model, to_year, fields) in CONTENT.items():
        found[name] = sorted(
            tuple(str(getattr(obj, f)) for f in fields)
            for obj in model.objects.filter(**{to_year: budget_year})
        )
    return found


def test_the_yaml_letter_creates_ftds_goals_requirements_activities_and_indicators(ftd):
    out, _err = run(FTD / "letter_2006.yaml")

    assert "Hovedmål: 2 created, 0 updated, 0 unchanged" in out
    assert "Resultatkrav: 5 created, 0 updated, 0 unchanged" in out
    assert "Aktiviteter: 5 created, 0 updated, 0 unchanged" in out
    assert "Indikatorer: 2 created, 0 updated, 0 unchanged" in out
    assert "Letter imported." in out
    letter = content("FTD")
    assert letter["requirements"][0] == (
        "FM1",
        "K1-1",
        "FTD skal sikre at ventetiden til familievernkontorene ikke overstiger fire uker.",
        "REGION",
        "1",
    )
    waiting = Indicator.objects.get(budget_year__agency=ftd, code="ventetid")
    assert (waiting.target, waiting.direction, waiting.baseline) == (4, "decrease", 6.5)
    assert waiting.activity.position == 2
    assert waiting.activity.requirement.code == "K1-1"
    visits = Indicator.objects.get(budget_year__agency=ftd, code="nettbesok")
    assert (visits.baseline, visits.baseline_text, visits.activity) == (None, "ikke målt", None)
    assert [d[1:] for d in letter["deliverables"]] == [
        ("2006-10-01", "Plan for kortere ventetid"),
        ("2006-06-30", "Beskrivelse av rutiner for risikostyring"),
    ]
    assert BudgetYear.objects.get(agency=ftd, year=2006).settlement_requirement is None


def test_the_workbook_gives_the_same_content_as_the_yaml(ftd, ftd_xlsx):
    run(ftd_xlsx, "--agency", "FTD", "--year", 2006)
    from_workbook = content("FTD")

    out, _err = run(FTD / "letter_2006.yaml")

    assert "created" in out
    assert all(f"{n}: 0 created, 0 updated" in out for n in ("Hovedmål", "Aktiviteter"))
    assert " 1 created" not in out and " 1 updated" not in out
    assert content("FTD") == from_workbook


def test_the_yaml_gives_the_same_content_as_the_workbook(ftd, ftd_xlsx):
    run(FTD / "letter_2006.yaml")
    from_yaml = content("FTD")

    result = import_letter(
        data=read_letter_file(name=ftd_xlsx.name, content=ftd_xlsx.read_bytes()),
        agency=ftd,
        year=2006,
    )

    assert result.ok
    assert result.changes == []
    assert content("FTD") == from_yaml


def test_a_dry_run_counts_what_would_change_and_saves_nothing(ftd):
    out, _err = run(FTD / "letter_2006.yaml", "--dry-run")

    assert "Resultatkrav: 5 created, 0 updated, 0 unchanged" in out
    assert "Dry run: nothing saved." in out
    assert not MainGoal.objects.filter(budget_year__agency=ftd).exists()
    assert not PriorityArea.objects.filter(budget_year__agency=ftd).exists()


def test_importing_the_same_letter_again_changes_nothing(ftd):
    run(FTD / "letter_2006.yaml")
    before = content("FTD")

    out, _err = run(FTD / "letter_2006.yaml")

    assert "Resultatkrav: 0 created, 0 updated, 5 unchanged" in out
    assert "Indikatorer: 0 created, 0 updated, 2 unchanged" in out
    assert content("FTD") == before


def test_a_changed_text_updates_only_its_row(ftd, tmp_path):
    run(FTD / "letter_2006.yaml")
    text = (FTD / "letter_2006.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "letter.yaml"
    changed.write_text(text.replace("redusere sykefraværet", "halvere sykefraværet"))

    out, _err = run(changed)

    assert "Resultatkrav: 0 created, 1 updated, 4 unchanged" in out
    assert ResultRequirement.objects.get(main_goal__budget_year__agency=ftd, code="K2-3").text == (
        "FTD skal halvere sykefraværet."
    )


def broken_sheets() -> dict:
    sheets = {name: [list(row) for row in rows] for name, rows in SHEETS.items()}
    sheets["Hovedmål"].append(["FM1", "Samme kode igjen"])  # row 4
    sheets["Resultatkrav"][3][3] = "XYZ"  # K2-1, row 4
    sheets["Leveranser"][1][1] = "31.13.2006"  # row 2
    sheets["Aktiviteter"][3][1] = "krav:K9-9"  # row 4
    sheets["Indikatorer"][1][5] = "fire"  # target, row 2
    sheets["Indikatorer"][2][7] = "opp"  # direction, row 3
    sheets["Andre tema"] = [["Kode", "Tekst"], ["likestilling", "Fremme likestilling."]]
    return sheets


def test_a_workbook_with_errors_names_every_problem_and_saves_nothing(ftd, tmp_path):
    path = write_workbook(tmp_path / "broken.xlsx", broken_sheets())

    message, err = fail(path, "--agency", "FTD", "--year", 2006)

    assert err.splitlines() == [
        "sheet Andre tema, row 1, column Tittel: required column missing",
        "sheet Leveranser, row 2, column Frist: '31.13.2006' is not a date "
        "(YYYY-MM-DD or DD.MM.YYYY)",
        "sheet Indikatorer, row 2, column Mål: 'fire' is not a number",
        "sheet Indikatorer, row 3, column Retning: unknown direction 'opp'; "
        "one of ['increase', 'decrease', 'at_least', 'at_most']",
        "sheet Hovedmål, row 2, column Kode: 'FM1' is given more than once",
        "sheet Hovedmål, row 4, column Kode: 'FM1' is given more than once",
        "sheet Resultatkrav, row 4, column ANSV: unknown unit 'XYZ' of agency FTD",
        "sheet Aktiviteter, row 4, column Hører til: "
        "no result requirement 'K9-9' in the letter or year",
        # The topic's sheet could not be read, so its activity has no parent either.
        "sheet Aktiviteter, row 6, column Hører til: "
        "no other reporting topic 'likestilling' in the letter or year",
    ]
    assert message == "9 problem(s); nothing saved for FTD 2006"
    assert not MainGoal.objects.filter(budget_year__agency=ftd).exists()


def test_a_unit_of_imdi_given_to_ftd_is_refused_naming_its_agency(ftd, tmp_path):
    text = (FTD / "letter_2006.yaml").read_text(encoding="utf-8")
    path = tmp_path / "letter.yaml"
    path.write_text(
        text.replace(
            "responsible_unit: REGION\n        deliverables",
            "responsible_unit: VEST\n        deliverables",
        )
    )

    _message, err = fail(path)

    assert err.splitlines() == [
        "Resultatkrav, main_goals[1].requirements[1], field responsible_unit: "
        "unit 'VEST' belongs to agency IMDi, not FTD"
    ]
    assert not MainGoal.objects.filter(budget_year__agency=ftd).exists()


def test_the_command_refuses_a_file_for_another_agency_or_year(ftd, ftd_xlsx):
    message, _err = fail(FTD / "letter_2006.yaml", "--agency", "IMDi")
    assert message == "the file is for agency FTD, not IMDi"

    message, _err = fail(ftd_xlsx, "--year", 2007)
    assert message == "the file is for 2006, not 2007"


def test_a_missing_budget_year_is_created_only_with_a_letter_date(ftd, tmp_path):
    text = (FTD / "letter_2006.yaml").read_text(encoding="utf-8")
    path = tmp_path / "letter_2007.yaml"
    path.write_text(text.replace("year: 2006", "year: 2007"))

    message, _err = fail(path)
    assert message == (
        "agency FTD has no budget year 2007; "
        "create it in the admin or give --letter-date YYYY-MM-DD"
    )
    assert not BudgetYear.objects.filter(agency=ftd, year=2007).exists()

    out, _err = run(path, "--letter-date", "2007-01-19")
    assert "Budget year FTD 2007 created." in out
    year = BudgetYear.objects.get(agency=ftd, year=2007)
    assert year.allocation_letter_date == date(2007, 1, 19)
    assert year.main_goals.count() == 2


def test_a_file_that_is_not_a_workbook_is_refused_clearly(ftd, tmp_path):
    path = tmp_path / "letter.xlsx"
    path.write_bytes(b"not a zip file")

    message, _err = fail(path, "--agency", "FTD", "--year", 2006)

    assert message.startswith(f"{path}: not an XLSX workbook:")


def test_the_demo_letter_still_loads_and_imports_to_the_same_content(organisation, tmp_path):
    letter = FIXTURES_DIR / "goals/letter_2006.yaml"
    load_letter(path=letter)
    loaded = content("IMDi")
    assert loaded["settlement"] == "R1-1"
    assert len(loaded["requirements"]) == 16

    result = import_letter(
        data=read_letter_file(name=letter.name, content=letter.read_bytes()),
        agency=Agency.objects.get(code="IMDi"),
        year=2006,
    )

    assert result.ok, result.problems
    assert result.changes == []
    assert content("IMDi") == loaded
    assert yaml.safe_load(letter.read_text(encoding="utf-8"))["agency"] == "IMDi"


@pytest.fixture
def admin_client_media(client, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = django_user_model.objects.create_superuser("letteradmin", "a@example.org", "x")
    client.force_login(admin)
    return client


def upload(client, path: Path, budget_year: BudgetYear):
    with path.open("rb") as handle:
        return client.post(
            reverse("admin:goals_budgetyear_import_letter"),
            {"file": handle, "budget_year": budget_year.pk},
        )


def test_the_admin_previews_the_letter_then_imports_it_on_confirm(
    ftd, admin_client_media, ftd_xlsx, settings
):
    client = admin_client_media
    budget_year = BudgetYear.objects.get(agency=ftd, year=2006)
    changelist = client.get(reverse("admin:goals_budgetyear_changelist"))
    assert reverse("admin:goals_budgetyear_import_letter") in changelist.content.decode()
    page = client.get(reverse("admin:goals_budgetyear_import_letter"))
    assert page.status_code == 200
    assert "Importer tildelingsbrev" in page.content.decode()

    preview = upload(client, ftd_xlsx, budget_year)

    assert preview.status_code == 200
    result = preview.context["result"]
    assert result.counts["Resultatkrav"] == {"created": 5, "updated": 0, "unchanged": 0}
    assert ("Indikatorer", "ventetid", "created") in result.changes
    assert not MainGoal.objects.filter(budget_year=budget_year).exists()
    token = preview.context["confirm"].initial["token"]

    done = client.post(
        reverse("admin:goals_budgetyear_import_letter"),
        {"token": token, "budget_year": budget_year.pk},
        follow=True,
    )

    assert [str(m) for m in done.context["messages"]] == [
        "Tildelingsbrevet for FTD 2006 er importert: 20 rader opprettet, 0 endret."
    ]
    assert MainGoal.objects.filter(budget_year=budget_year).count() == 2
    assert Activity.objects.filter(budget_year=budget_year).count() == 5
    assert list((settings.MEDIA_ROOT / "letter_imports").iterdir()) == []
    again = client.post(
        reverse("admin:goals_budgetyear_import_letter"),
        {"token": token, "budget_year": budget_year.pk},
    )
    assert again.context["error"] == (
        "Forhåndsvisningen er utløpt eller allerede importert; last opp filen på nytt."
    )


def test_the_admin_lists_the_problems_and_offers_no_import(ftd, admin_client_media, tmp_path):
    budget_year = BudgetYear.objects.get(agency=ftd, year=2006)
    path = write_workbook(tmp_path / "broken.xlsx", broken_sheets())

    response = upload(admin_client_media, path, budget_year)

    problems = response.context["result"].problems
    assert len(problems) == 9
    assert "unknown unit &#x27;XYZ&#x27; of agency FTD" in response.content.decode()
    assert "confirm" not in response.context
    assert not MainGoal.objects.filter(budget_year=budget_year).exists()


def test_the_admin_refuses_large_files_and_other_formats(ftd, admin_client_media, tmp_path):
    budget_year = BudgetYear.objects.get(agency=ftd, year=2006)
    large = tmp_path / "letter.yaml"
    large.write_bytes(b"#" * (5 * 1024 * 1024 + 1))
    text = tmp_path / "letter.txt"
    text.write_text("agency: FTD")

    assert upload(admin_client_media, large, budget_year).context["form"].errors["file"] == [
        "Filen er større enn 5 MB."
    ]
    assert upload(admin_client_media, text, budget_year).context["form"].errors["file"] == [
        "Last opp en .xlsx-arbeidsbok eller en .yaml-fil."
    ]


def test_the_import_page_needs_permission_to_change_budget_years(ftd, client, django_user_model):
    staff = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(staff)

    response = client.get(reverse("admin:goals_budgetyear_import_letter"))

    assert response.status_code == 403


def test_yaml_problems_are_named_by_their_path_in_the_file(ftd, tmp_path):
    path = tmp_path / "letter.yaml"
    path.write_text(
        """\
agency: FTD
year: 2006
settlement_requirement: K1-1
main_goals:
  - code: FM1-MED-EN-ALTFOR-LANG-KODE
    title: "Mål"
    requirements:
      - code: K1-1
        text: "Krav"
        responsible_unit: STAB
        activities:
          - activity: "Aktivitet"
      - code: K1-2
        text: "Krav to"
        responsible_unit: STAB
        indicators:
          - {code: antall, name: "Antall", direction: increase, activity: 1}
""",
        encoding="utf-8",
    )

    _message, err = fail(path)

    assert err.splitlines() == [
        "Hovedmål, main_goals[1], field code: "
        "Sørg for at denne verdien har 20 eller færre tegn (den har nå 27).",
        "Brev, file, field settlement_requirement: agency FTD has no settlement module",
        "Resultatkrav, main_goals[1].requirements[1], field goal: "
        "no main goal 'FM1-MED-EN-ALTFOR-LANG-KODE' in the letter or the year",
        "Resultatkrav, main_goals[1].requirements[2], field goal: "
        "no main goal 'FM1-MED-EN-ALTFOR-LANG-KODE' in the letter or the year",
        "Indikatorer, main_goals[1].requirements[2].indicators[1], field activity: "
        "activity 1 belongs to requirement:K1-1, not requirement:K1-2",
    ]
    assert not ResultRequirement.objects.filter(main_goal__budget_year__agency=ftd).exists()


def test_sheets_over_the_row_limit_and_overlong_cells_are_refused(ftd, tmp_path, monkeypatch):
    monkeypatch.setattr("goals.letter_formats.MAX_ROWS", 4)
    sheets = {name: [list(row) for row in rows] for name, rows in SHEETS.items()}
    sheets["Hovedmål"][1][1] = "x" * 5001
    path = write_workbook(tmp_path / "large.xlsx", sheets)

    _message, err = fail(path)

    assert err.splitlines() == [
        "sheet Resultatkrav, row 6, column -: more than 4 rows; split the file",
        "sheet Aktiviteter, row 6, column -: more than 4 rows; split the file",
        "sheet Hovedmål, row 2, column Tittel: longer than 5000 characters",
    ]
    assert not MainGoal.objects.filter(budget_year__agency=ftd).exists()


def test_a_yaml_file_repeating_rows_through_aliases_is_stopped(ftd, tmp_path, monkeypatch):
    monkeypatch.setattr("goals.letter_formats.MAX_ROWS", 3)
    path = tmp_path / "letter.yaml"
    path.write_text(
        "goal: &g {code: FM1, title: Mål}\nmain_goals: [*g, *g, *g, *g, *g]\n", encoding="utf-8"
    )

    message, _err = fail(path, "--agency", "FTD", "--year", 2006)

    assert message == f"{path}: more than 3 rows of Hovedmål; split the file"
