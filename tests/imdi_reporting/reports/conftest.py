import re
import subprocess

import pytest
from django.db import transaction

from goals.models import Activity, ReportingPeriod, ResultRequirement
from imdi_reporting.choices import ReportPart
from imdi_reporting.reports.services import render_report_html, render_report_pdf
from imdi_reporting.services import load_demo
from tests.conftest import require_tool


def squash(text: str) -> str:
    """Whitespace collapsed, so that text wrapped over lines or cells still matches; a line
    may break after a slash or a hyphen, so space after those does not count."""
    return re.sub(r"([/-]) ", r"\1", re.sub(r"\s+", " ", text)).strip()


def reading_text(pdf: bytes) -> str:
    """The PDF's text in reading order (pdftotext -raw keeps each table cell together)."""
    tool = require_tool("pdftotext")
    result = subprocess.run([tool, "-raw", "-", "-"], input=pdf, capture_output=True, check=True)
    return squash(result.stdout.decode("utf-8"))


def h1_period() -> ReportingPeriod:
    return ReportingPeriod.objects.select_related("budget_year__agency").get(
        kind="H1", budget_year__year=2006
    )


@pytest.fixture(scope="session")
def rendered_2006(django_db_setup, django_db_blocker):
    """The 2006-H1 report rendered once from the demo data, with what the database says it
    must contain. The demo data is rolled back afterwards, so other tests start empty."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        period = h1_period()
        result = {
            "pdf": render_report_pdf(period=period, part=ReportPart.FULL),
            "html": render_report_html(period=period, part=ReportPart.FULL),
            "html_again": render_report_html(period=period, part=ReportPart.FULL),
            "requirements": [
                (r.code, r.text)
                for r in ResultRequirement.objects.filter(main_goal__budget_year__year=2006)
            ],
            "activities": list(
                Activity.objects.filter(budget_year__year=2006).values_list("activity", flat=True)
            ),
        }
        transaction.set_rollback(True)
    result["text"] = reading_text(result["pdf"])
    return result


SUBMIT_REASON = "Sendt inn uten alle svar (test)."


def submit(*, user, period: ReportingPeriod) -> ReportingPeriod:
    from goals.services import submit_period

    submitted = submit_period(user=user, period=period, reason=SUBMIT_REASON)
    return ReportingPeriod.objects.select_related("budget_year__agency").get(pk=submitted.pk)


def article(page: str) -> str:
    """The report body of a report page (what page.html wraps around it left out)."""
    start = page.index('<article class="report report--screen"')
    return page[start : page.index("</article>", start)]


@pytest.fixture
def submitted_h1(organisation, demo_user):
    """The 2006 letter, form and budget, with 2006-H1 reopened and submitted again through
    the services, so that its snapshot is taken as a submission takes it; the year report
    stays open."""
    from budget.loaders import load_budget_demo
    from goals.loaders import load_goals_demo
    from goals.services import reopen_period
    from imdi_reporting.services import FIXTURES_DIR

    load_goals_demo(directory=FIXTURES_DIR / "goals")
    load_budget_demo(directory=FIXTURES_DIR / "budget")
    direktor = demo_user("direktor")
    reopen_period(user=direktor, period=h1_period(), reason="Sendes inn på nytt (test).")
    return submit(user=direktor, period=h1_period())
