from pathlib import Path

import pytest

from budget.loaders import load_budget_demo, load_budget_report, load_chapters
from budget.models import (
    AccountsEntry,
    AllocationEntry,
    Authorisation,
    Chapter,
    Commentary,
    DispositionPart,
    DispositionTransfer,
    Footnote,
    GrantStatistic,
    Post,
    ReportedFigure,
    SubPostLine,
)
from goals.loaders import FixtureError
from imdi_reporting.services import FIXTURES_DIR

MODELS = [
    Chapter,
    Post,
    AllocationEntry,
    AccountsEntry,
    SubPostLine,
    Footnote,
    DispositionPart,
    DispositionTransfer,
    Authorisation,
    GrantStatistic,
    ReportedFigure,
    Commentary,
]


@pytest.fixture
def budget_2006(organisation):
    """Loaded for each test: the tests here load files into a database without them."""
    return load_budget_demo(directory=FIXTURES_DIR / "budget")


def snapshot():
    return {model.__name__: sorted(map(repr, model.objects.values_list())) for model in MODELS}


@pytest.mark.django_db
def test_the_2006_report_loads_with_every_table(budget_2006):
    assert budget_2006 == {
        "chapters": 8,
        "posts": 18,
        "allocations": 16,
        "accounts": 13,
        "reported": 61,
        "lines": 24,
        "parts": 9,
        "transfers": 5,
        "footnotes": 6,
        "authorisations": 2,
        "commentary": 50,
        "statistics": 52,
    }


@pytest.mark.django_db
def test_loading_twice_changes_nothing(budget_2006):
    before = snapshot()
    load_budget_demo(directory=FIXTURES_DIR / "budget")
    assert snapshot() == before


@pytest.mark.django_db
def test_a_bad_amount_names_file_row_and_field(budget_2006, tmp_path: Path):
    bad = tmp_path / "2006-H1.yaml"
    bad.write_text(
        "agency: IMDi\nyear: 2006\nperiod: H1\nposts:\n"
        "  '0651.61':\n    accounts:\n      - {category: payments, amount: ti millioner}\n",
        encoding="utf-8",
    )
    with pytest.raises(FixtureError) as error:
        load_budget_report(path=bad)
    assert str(error.value) == (
        f"{bad}: posts[0651.61].accounts[1]: 'amount' is not a number: 'ti millioner'"
    )


@pytest.mark.django_db
def test_an_unknown_post_is_refused(budget_2006, tmp_path: Path):
    bad = tmp_path / "2006-H1.yaml"
    bad.write_text(
        "agency: IMDi\nyear: 2006\nperiod: H1\nposts:\n  '0651.99': {}\n", encoding="utf-8"
    )
    with pytest.raises(FixtureError, match=r"posts\[0651.99\]: unknown post '0651.99'"):
        load_budget_report(path=bad)


@pytest.mark.django_db
def test_every_demo_chapter_is_imdis_and_bld_s_is_charged_under_authorisation(budget_2006):
    chapters = {c.number: c for c in Chapter.objects.select_related("agency", "ministry")}
    assert {c.agency.code for c in chapters.values()} == {"IMDi"}
    assert [n for n, c in sorted(chapters.items()) if c.under_authorisation] == ["0854"]
    assert chapters["0854"].ministry.code == "BLD"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "chapters:\n  - {number: '0840', name: X, kind: expense}\n",
            "chapters[1]: 'agency' is required (per chapter or on top)",
        ),
        (
            "agency: NOPE\nchapters:\n  - {number: '0840', name: X, kind: expense}\n",
            "chapters[1]: unknown agency 'NOPE'",
        ),
        (
            "agency: IMDi\nchapters:\n  - {number: '0840', name: X, kind: expense, "
            "ministry: BLD}\n",
            "chapters[1]: 'ministry' BLD is not IMDi's ministry AID; mark the chapter "
            "'charge_authorisation: true' if IMDi charges it under an authorisation",
        ),
    ],
)
def test_a_chapter_file_names_its_agency_and_its_ministry_must_fit(
    organisation, tmp_path: Path, text, message
):
    bad = tmp_path / "chapters.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(FixtureError) as error:
        load_chapters(path=bad)
    assert str(error.value) == f"{bad}: {message}"
    assert not Chapter.objects.exists()
