from datetime import date

from goals.models import Agency
from settlement.selectors import report_figures


def test_statistics_match_settlement_stats(settlement_demo, api_for):
    [data] = api_for("direktor").get("/api/settlement/statistics/?date=2006-06-30").json()
    imdi = Agency.objects.get(code="IMDi")
    figures = report_figures(agencies=[imdi], start=date(2006, 1, 1), end=date(2006, 6, 30))
    assert data["agency"] == "IMDi"
    assert data["start"] == "2006-01-01"
    assert data["exact"] is True
    assert data["suppressed"] == []
    assert data["settled"] == figures[imdi.pk]["settled"] == 1813
    assert data["waiting_over_limit"] == 496
    assert data["mean_wait_months"] == {"reception": "8.6", "em": "5.9", "off": "4.7"}
    assert data["family_reunification_settled"] == figures[imdi.pk]["family_reunification_settled"]


def test_small_counts_are_withheld_from_ministry_readers(settlement_demo, api_for, settings):
    settings.SETTLEMENT_SUPPRESSION_THRESHOLD = 30
    june = "/api/settlement/statistics/?from=2006-06-01&date=2006-06-30"
    [exact] = api_for("direktor").get(june).json()
    assert exact["family_reunification_settled"] == 27
    [shown] = api_for("aid").get("/api/settlement/statistics/?date=2006-06-30").json()
    assert shown["exact"] is False
    # 51 in the half year, but June added 27, which the reader could subtract out.
    assert shown["family_reunification_settled"] is None
    assert "family_reunification_settled" in shown["suppressed"]
    assert shown["settled"] == 1813


def test_a_start_after_the_end_is_refused(settlement_demo, api_for):
    response = api_for("aid").get("/api/settlement/statistics/?from=2006-07-01&date=2006-06-30")
    assert response.status_code == 400
    assert "from" in response.json()


def test_the_agency_filter_names_one_agency(settlement_demo, api_for):
    client = api_for("aid")
    [imdi] = client.get("/api/settlement/statistics/?agency=IMDi&date=2006-06-30").json()
    assert imdi["agency"] == "IMDi"
    assert client.get("/api/settlement/statistics/?agency=XYZ").json() == []
    response = client.get("/api/settlement/statistics/?agency=")
    assert response.status_code == 400
    assert "agency" in response.json()
