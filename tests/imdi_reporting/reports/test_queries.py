"""The report pages run a fixed number of queries whatever the number of rows: an open
period's page renders its report from the data, a submitted period's page shows the
snapshot taken at submission."""

import pytest
from django.urls import reverse

from budget.loaders import load_budget_demo
from goals.loaders import load_goals_demo
from goals.models import ReportingPeriod
from imdi_reporting.reports.services import take_snapshots
from imdi_reporting.services import FIXTURES_DIR


@pytest.fixture
def content(organisation):
    load_goals_demo(directory=FIXTURES_DIR / "goals")
    load_budget_demo(directory=FIXTURES_DIR / "budget")


@pytest.fixture
def reopened(content):
    """2006-H1 open again, so that its page is rendered from the data."""
    ReportingPeriod.objects.filter(kind="H1").update(
        state="open", submitted_at=None, submitted_by=None
    )


# Every page: session, user, the user's two permission lookups, profile, period (with
# agency), report texts, main goals, requirements, their special reporting, their
# deliverables, the goals' own special reporting, the stored versions, and the agency's
# ministry (letterhead).
COMMON = 14
# The form: status updates and activities with their parents; indicators and their values.
FORM = 2 + 2
# Parts I-IV: letter and signatories, priority area and items, narratives, special answers,
# statistical tables and rows, other answers and topics; the settlement figures (10: the
# stock in reception and over the limit is one query).
NARRATIVE = 10 + 10
# Part VI: posts, allocations, accounts, commentary, authorisations, the totals the report
# states per post, posts with sub-posts, posts with parts, attachment 1 (post, sub-posts,
# lines, footnotes, reported figures), footnotes, four per post with parts (three posts),
# attachment 2.
ACCOUNTS = 8 + 5 + 1 + 4 * 3 + 1


def test_the_full_report_page(client_for, reopened, django_assert_num_queries):
    client = client_for("direktor")
    with django_assert_num_queries(COMMON + FORM + NARRATIVE + ACCOUNTS):
        assert client.get(reverse("reports:full", args=["2006-H1"])).status_code == 200


def test_the_form_page(client_for, reopened, django_assert_num_queries):
    client = client_for("direktor")
    with django_assert_num_queries(COMMON + FORM - 1):
        assert client.get(reverse("reports:form", args=["2006-H1"])).status_code == 200


def test_the_accounts_page(client_for, reopened, django_assert_num_queries):
    client = client_for("direktor")
    with django_assert_num_queries(COMMON + ACCOUNTS - 1):
        assert client.get(reverse("reports:accounts", args=["2006-H1"])).status_code == 200


# A submitted period's page: session, user, the user's two permission lookups, profile,
# period (with agency), its snapshot, and the stored versions.
SNAPSHOT = 8


@pytest.mark.parametrize("name", ["reports:full", "reports:form", "reports:accounts"])
def test_it_shows_a_submitted_period_from_its_snapshot_in_fixed_queries(
    client_for, content, django_assert_num_queries, name
):
    take_snapshots(period=ReportingPeriod.objects.get(kind="H1"))
    client = client_for("direktor")
    with django_assert_num_queries(SNAPSHOT):
        assert client.get(reverse(name, args=["2006-H1"])).status_code == 200
