"""The HTML of a submitted period renders from the same frozen data as its PDF: the report
body of every part is stored when the period is submitted, inside the submission, and the
web page and the frozen PDF of that submission are both made from it."""

import hashlib

import pytest
from django.contrib import admin
from django.db import models, transaction
from django.db.models.functions import Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from goals.models import ReportingPeriod
from goals.services import reopen_period
from imdi_reporting.choices import ReportPart
from imdi_reporting.models import ReportSnapshot
from imdi_reporting.reports import services
from imdi_reporting.reports.selectors import report_context
from tests.imdi_reporting.reports.conftest import article, h1_period, submit


def snapshots_of(period: ReportingPeriod):
    return ReportSnapshot.objects.filter(period=period, submitted_at=period.submitted_at)


def test_it_stores_every_part_of_the_submission_with_its_sha256(submitted_h1):
    stored = {s.part: s for s in snapshots_of(submitted_h1)}
    assert sorted(stored) == sorted(ReportPart.values)
    for part, snapshot in stored.items():
        assert snapshot.sha256 == hashlib.sha256(snapshot.html.encode("utf-8")).hexdigest()
        # The body as _report.html renders it now, in bokmål, without the draft watermark.
        with translation.override("nb"):
            report = report_context(period=submitted_h1, part=part)
            now = render_to_string("imdi_reporting/reports/_report.html", {"report": report})
        # Byte for byte: a chart's ids are numbered within the report, not per process.
        assert snapshot.html == now
        assert 'class="watermark"' not in snapshot.html
        assert snapshot.agency_name == submitted_h1.budget_year.agency.name


def test_it_takes_the_snapshot_inside_the_submission_and_a_rollback_leaves_none(
    organisation, demo_user
):
    direktor = demo_user("direktor")
    reopen_period(user=direktor, period=h1_period(), reason="Sendes inn på nytt (test).")

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        period = submit(user=direktor, period=h1_period())
        assert snapshots_of(period).count() == len(ReportPart.values)
        raise RolledBack
    assert h1_period().state == "open"
    assert not ReportSnapshot.objects.exists()


def test_it_shows_the_submitted_page_from_the_snapshot(submitted_h1, client_for):
    ReportSnapshot.objects.filter(period=submitted_h1, part="full").update(
        html=Concat(models.F("html"), models.Value("<p>Fra øyeblikksbildet</p>"))
    )
    page = client_for("direktor").get(reverse("reports:full", args=["2006-H1"]))
    body = article(page.content.decode())
    assert "<p>Fra øyeblikksbildet</p>" in body
    snapshot = snapshots_of(submitted_h1).get(part="full")
    assert snapshot.html in body


def test_it_makes_the_pdf_from_the_snapshot(submitted_h1, monkeypatch):
    ReportSnapshot.objects.filter(period=submitted_h1, part="form").update(
        html=Concat(models.F("html"), models.Value("<p>Fra øyeblikksbildet</p>"))
    )
    documents = []

    def render_pdf(*, html: str) -> bytes:
        documents.append(html)
        return b"%PDF-1.7 stub"

    monkeypatch.setattr("imdi_reporting.pdf.render_pdf", render_pdf)
    frozen = services.freeze_report(period=submitted_h1, part="form")
    assert frozen.submitted_at == submitted_h1.submitted_at
    [document] = documents
    assert snapshots_of(submitted_h1).get(part="form").html in document
    assert "<p>Fra øyeblikksbildet</p>" in document
    assert "<!DOCTYPE html>" in document[:200]


def test_it_takes_the_snapshot_of_a_period_submitted_earlier_at_its_first_read(
    organisation, client_for
):
    # The fixtures submitted 2006-H1 before snapshots existed.
    period = h1_period()
    assert not ReportSnapshot.objects.exists()
    client = client_for("direktor")
    first = client.get(reverse("reports:form", args=["2006-H1"]))
    assert first.status_code == 200
    assert snapshots_of(period).count() == len(ReportPart.values)
    again = client.get(reverse("reports:form", args=["2006-H1"]))
    assert article(again.content.decode()) == article(first.content.decode())
    assert ReportSnapshot.objects.count() == len(ReportPart.values)


def test_it_keeps_the_old_snapshot_when_the_period_is_reopened_and_submitted_again(
    submitted_h1, demo_user
):
    direktor = demo_user("direktor")
    first = submitted_h1.submitted_at
    reopen_period(user=direktor, period=submitted_h1, reason="Rettelse (test).")
    again = submit(user=direktor, period=h1_period())
    assert again.submitted_at != first
    for part in ReportPart.values:
        times = ReportSnapshot.objects.filter(period=again, part=part).values_list(
            "submitted_at", flat=True
        )
        assert sorted(times) == [first, again.submitted_at]


def test_it_protects_the_snapshots_and_offers_no_admin_to_change_them():
    field = ReportSnapshot._meta.get_field("period")
    assert field.remote_field.on_delete is models.PROTECT
    assert ReportSnapshot not in admin.site._registry
    constraints = {c.name for c in ReportSnapshot._meta.constraints}
    assert "imdi_reporting_reportsnapshot_submission" in constraints


def test_it_renders_the_draft_of_an_open_period_live(organisation, client_for):
    page = client_for("direktor").get(reverse("reports:form", args=["2006"]))
    assert page.status_code == 200
    assert 'class="watermark"' in article(page.content.decode())
    assert not ReportSnapshot.objects.exists()
