"""A report's file is named by the kind of its period: halvårsrapport, årsrapport,
tertialrapport."""

from goals.models import ReportingPeriod
from imdi_reporting.choices import ReportPart
from imdi_reporting.reports.views import content_disposition, file_stem


def test_it_names_the_full_report_by_the_period_kind(organisation):
    names = {
        p.kind: file_stem(period=p, part=ReportPart.FULL)
        for p in ReportingPeriod.objects.filter(budget_year__year=2006)
    }
    assert names["H1"] == "halvårsrapport"
    assert names["Y"] == "årsrapport"
    tertial = ReportingPeriod(kind="T1")
    assert file_stem(period=tertial, part=ReportPart.FULL) == "tertialrapport"


def test_it_names_the_form_and_accounts_whatever_the_period(organisation):
    year = ReportingPeriod.objects.get(budget_year__year=2006, kind="Y")
    assert file_stem(period=year, part=ReportPart.FORM) == "rapporteringsskjema"
    assert file_stem(period=year, part=ReportPart.ACCOUNTS) == "regnskapsrapport"


def test_it_sends_the_name_in_utf_8_with_an_ascii_fallback():
    header = content_disposition("årsrapport-IMDi-2006-utkast.pdf")
    assert header == (
        'inline; filename="arsrapport-IMDi-2006-utkast.pdf"; '
        "filename*=UTF-8''%C3%A5rsrapport-IMDi-2006-utkast.pdf"
    )
