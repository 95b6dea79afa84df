"""The reports page tells how far the stored PDFs of a submission are, and keeps updating
itself while any is still being made in the background."""

from django.core.cache import cache
from django.urls import reverse

from goals.models import ReportingPeriod
from imdi_reporting.models import FrozenReport
from imdi_reporting.reports.selectors import stored_states


def _h1() -> ReportingPeriod:
    return ReportingPeriod.objects.select_related("budget_year__agency").get(kind="H1")


def _store(period: ReportingPeriod, part: str) -> None:
    FrozenReport.objects.create(
        period=period,
        part=part,
        version=1,
        submitted_at=period.submitted_at,
        sha256="0" * 64,
        pdf=b"%PDF-",
        size=5,
    )


def _queue(period: ReportingPeriod) -> None:
    """As enqueue_freeze remembers a freeze left waiting for the worker."""
    cache.set(f"imdi:freeze-queued:{period.pk}:{period.submitted_at.isoformat()}", True)


def test_it_says_the_pdfs_of_a_submission_are_being_prepared(client_for):
    _queue(_h1())
    page = client_for("direktor").get(reverse("reports:index"))
    html = page.content.decode()
    assert html.count("Lages nå") == 3
    assert "data-reload-seconds" in html and "reload_while_preparing.js" in html
    # No meta refresh: a page that reloads itself must be a script the reader can stop.
    assert 'http-equiv="refresh"' not in html


def test_without_a_queued_freeze_it_stores_at_the_first_download_and_does_not_reload(
    client_for,
):
    cache.clear()
    html = client_for("direktor").get(reverse("reports:index")).content.decode()
    assert html.count("Lagres ved første nedlasting") == 3
    assert "Lages nå" not in html
    assert "reload_while_preparing.js" not in html


def test_it_names_the_stored_version_once_a_part_is_stored(client_for):
    period = _h1()
    _queue(period)
    _store(period, "form")
    states = {s.part: s.version for s in stored_states(periods=[period])[period.pk]}
    assert states == {"full": None, "form": 1, "accounts": None}
    html = client_for("direktor").get(reverse("reports:index")).content.decode()
    assert "Lagret, versjon 1" in html
    assert html.count("Lages nå") == 2


def test_it_stops_updating_when_every_part_is_stored(client_for):
    period = _h1()
    for part in ("full", "form", "accounts"):
        _store(period, part)
    html = client_for("direktor").get(reverse("reports:index")).content.decode()
    assert "Lages nå" not in html
    assert "reload_while_preparing.js" not in html


def test_an_open_period_has_no_stored_state(client_for):
    year = ReportingPeriod.objects.get(kind="Y")
    assert stored_states(periods=[year]) == {}


def test_the_approvers_page_links_to_the_progress(client_for):
    html = client_for("direktor").get(reverse("goals:approval", args=["IMDi-2006-H1"]))
    assert reverse("reports:index") in html.content.decode()
