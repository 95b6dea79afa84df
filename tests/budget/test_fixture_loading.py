from pathlib import Path

import pytest

from budget.loaders import load_budget_demo, load_budget_report
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
from goals.services import FixtureError
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
