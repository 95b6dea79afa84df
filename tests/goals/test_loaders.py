from decimal import Decimal

import pytest
import yaml

from goals.choices import WorkflowState
from goals.loaders import (
    FixtureError,
    dump_yaml,
    export_goals_fixtures,
    load_form,
    load_letter,
    load_report,
)
from goals.models import (
    Activity,
    CoverLetter,
    Deliverable,
    Indicator,
    IndicatorValue,
    PriorityItem,
    RequirementNarrative,
    ResultRequirement,
    SpecialReportingRequirement,
    StatisticalTableRow,
    StatusUpdate,
)
from goals.selectors import export_form, export_letter, export_report
from tests.goals.conftest import FORM, LETTER, REPORT, write

NUMBERS = {"value", "target"}


def comparable(value):
    """The fixture's meaning: absent, null, empty text and empty lists say the same."""
    if isinstance(value, dict):
        cleaned = {
            k: Decimal(str(v)) if k in NUMBERS and v is not None else comparable(v)
            for k, v in value.items()
        }
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def test_it_loads_the_letter(content):
    r13 = ResultRequirement.objects.get(code="R1-3")
    assert r13.responsible_unit.code == "NE"
    assert r13.main_goal.code == "HM1"
    assert r13.text.startswith("IMDi skal bidra")
    assert list(Deliverable.objects.filter(requirement=r13).values_list("title", flat=True)) == [
        "Utkast",
        "Veileder",
    ]
    hm1_s2 = SpecialReportingRequirement.objects.get(code="HM1-S2")
    assert hm1_s2.main_goal.code == "HM1"
    assert hm1_s2.requirement is None
    assert SpecialReportingRequirement.objects.get(code="R1-1-S1").requirement.code == "R1-1"
    assert set(PriorityItem.objects.values_list("letter", flat=True)) == {"a", "b"}


def test_it_loads_the_report_and_the_form(content, h1):
    assert RequirementNarrative.objects.get(requirement__code="R1-3", period=h1).next_priorities
    letter = CoverLetter.objects.get(period=h1)
    assert [s.name for s in letter.signatories.all()] == ["Osmund Kaldheim", "Tor Arne Arnesen"]
    assert Activity.objects.count() == 4
    update = StatusUpdate.objects.get(activity__position=2, period=h1)
    assert update.status == "deviation"
    assert update.state == WorkflowState.APPROVED
    assert IndicatorValue.objects.get(indicator__code="tolkeregister").value == Decimal(440)
    assert Indicator.objects.get(code="tolkeregister").activity.activity == (
        "Informasjon om intro-loven"
    )
    assert Indicator.objects.get(code="sykefravaer").baseline_text.startswith("101")
    assert list(StatisticalTableRow.objects.values_list("values", flat=True)) == [
        [4664, 2518],
        [300, 100],
    ]


def snapshot():
    models = [ResultRequirement, Deliverable, Activity, StatusUpdate, IndicatorValue]
    return {
        m.__name__: sorted(map(repr, m.objects.values_list(named=False).order_by("pk")))
        for m in models
    }


def test_loading_twice_changes_nothing(content, h1):
    before = snapshot()
    stamps = list(StatusUpdate.objects.values_list("updated_at", flat=True).order_by("pk"))
    load_letter(path=content["letter"])
    load_report(path=content["report"])
    load_form(path=content["form"])
    assert snapshot() == before
    assert list(StatusUpdate.objects.values_list("updated_at", flat=True).order_by("pk")) == stamps


def test_a_changed_file_updates_in_place(content, tmp_path):
    changed = LETTER.replace('title: "Veileder"', 'title: "Veileder sendt"')
    load_letter(path=write(tmp_path, "letter_2006.yaml", changed))
    titles = set(Deliverable.objects.values_list("title", flat=True))
    assert "Veileder sendt" in titles
    assert "Veileder" not in titles
    assert ResultRequirement.objects.count() == 2


def test_the_loader_writes_into_the_locked_period(content, h1):
    assert h1.is_locked
    assert StatusUpdate.objects.filter(period=h1).count() == 4


@pytest.mark.parametrize(
    ("loader", "text", "old", "new", "where"),
    [
        (
            "letter",
            LETTER,
            "responsible_unit: VEST",
            "responsible_unit: NOWHERE",
            "main_goals[1].requirements[1].responsible_unit",
        ),
        (
            "letter",
            LETTER,
            "due: 2006-09-01",
            "due: 01.09.2006",
            "requirements[2].deliverables[2].due",
        ),
        ("letter", LETTER, "year: 2006", "year: 1999", "file.year"),
        ("report", REPORT, "  R1-3:\n", "  R9-9:\n", "requirement_narratives.R9-9"),
        ("form", FORM, "status: deviation", "status: late", "form_rows[2].status"),
        ("form", FORM, "parent: requirement:R1-1", "parent: requirement:R7", "form_rows[2].parent"),
        ("form", FORM, "values: [4664, 2518]", "values: [4664]", "tables[1].rows[1].values"),
        ("form", FORM, "value: 440", "value: lots", "indicators[1].values[1].value"),
    ],
)
def test_bad_data_is_refused_naming_file_row_and_field(
    organisation, fixture_files, tmp_path, loader, text, old, new, where
):
    loaders = {"letter": load_letter, "report": load_report, "form": load_form}
    if loader != "letter":
        load_letter(path=fixture_files["letter"])
    assert old in text
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    bad = write(bad_dir, f"{loader}.yaml", text.replace(old, new))
    with pytest.raises(FixtureError) as error:
        loaders[loader](path=bad)
    assert error.value.path == str(bad)
    assert where in error.value.where
    assert str(bad) in str(error.value)


def test_a_failing_file_leaves_nothing_behind(organisation, fixture_files, tmp_path):
    load_letter(path=fixture_files["letter"])
    bad = write(tmp_path, "bad.yaml", FORM.replace("status: achieved", "status: late"))
    with pytest.raises(FixtureError):
        load_form(path=bad)
    assert Activity.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "text", "export"),
    [("letter", LETTER, "letter"), ("report", REPORT, "report"), ("form", FORM, "form")],
)
def test_exporting_the_loaded_data_reproduces_the_source(content, h1, name, text, export):
    exported = {
        "letter": lambda: export_letter(budget_year=h1.budget_year),
        "report": lambda: export_report(period=h1),
        "form": lambda: export_form(period=h1),
    }[export]()
    assert comparable(yaml.safe_load(dump_yaml(exported))) == comparable(yaml.safe_load(text))


def test_exported_files_load_back_unchanged(content, h1, tmp_path):
    before = snapshot()
    paths = export_goals_fixtures(period=h1, directory=tmp_path / "out")
    assert [p.name for p in paths] == [
        "letter_2006.yaml",
        "report_2006-H1.yaml",
        "form_2006-H1.yaml",
    ]
    load_letter(path=paths[0])
    load_report(path=paths[1])
    load_form(path=paths[2])
    assert snapshot() == before
    assert "|" in paths[0].read_text(encoding="utf-8")
