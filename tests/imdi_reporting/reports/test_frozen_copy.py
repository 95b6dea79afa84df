"""A submitted period's PDF is made once and stored; later downloads get the same bytes."""

import hashlib

from django.urls import reverse

from goals.models import ReportingPeriod
from goals.services import reopen_period, submit_period
from imdi_reporting.models import FrozenReport


def _period(kind: str) -> ReportingPeriod:
    return ReportingPeriod.objects.select_related("budget_year__agency").get(kind=kind)


def test_a_period_submitted_earlier_is_frozen_on_first_download(client_for):
    client = client_for("aid")
    url = reverse("reports:form_pdf", args=["2006-H1"])
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    digest = hashlib.sha256(first.content).hexdigest()
    assert first["X-Content-SHA256"] == digest
    assert first["ETag"] == f'"{digest}"'
    frozen = FrozenReport.objects.get(period=_period("H1"), part="form")
    assert frozen.version == 1
    assert frozen.sha256 == digest
    assert bytes(frozen.pdf) == first.content
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"{digest}"').status_code == 304


def test_submitting_freezes_every_part_and_resubmitting_adds_a_version(
    client_for, demo_user, django_capture_on_commit_callbacks
):
    approver = demo_user("direktor")
    period = _period("Y")
    with django_capture_on_commit_callbacks(execute=True):
        submit_period(user=approver, period=period, reason="Sendt inn uten alle svar (test).")
    assert sorted(FrozenReport.objects.filter(period=period).values_list("part", "version")) == [
        ("accounts", 1),
        ("form", 1),
        ("full", 1),
    ]
    first = FrozenReport.objects.get(period=period, part="full", version=1)
    assert first.created_by == approver

    reopen_period(user=approver, period=period, reason="Rettelse i del II")
    with django_capture_on_commit_callbacks(execute=True):
        submit_period(user=approver, period=period, reason="Sendt inn uten alle svar (test).")
    assert FrozenReport.objects.filter(period=period, part="full").count() == 2

    client = client_for("direktor")
    latest = client.get(reverse("reports:full_pdf", args=["2006"]))
    assert (
        latest["X-Content-SHA256"]
        == FrozenReport.objects.get(period=period, part="full", version=2).sha256
    )
    older = client.get(reverse("reports:full_pdf", args=["2006"]) + "?versjon=1")
    assert older.content == bytes(first.pdf)
    assert older["X-Content-SHA256"] == first.sha256


def test_a_draft_is_rendered_every_time_and_not_stored(client_for):
    response = client_for("direktor").get(reverse("reports:form_pdf", args=["2006"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert not FrozenReport.objects.exists()


def test_it_answers_the_browsers_copy_with_304_without_reading_the_bytes(
    client_for, django_assert_num_queries
):
    client = client_for("aid")
    url = reverse("reports:form_pdf", args=["2006-H1"])
    digest = client.get(url)["X-Content-SHA256"]
    # 1 session, 2 user, 3 profile, 4-5 the period (the address, then its state), 6 the
    # stored copy without its bytes. No permission query: the period is submitted, which
    # every reader of the agency may read.
    with django_assert_num_queries(6) as queries:
        response = client.get(url, HTTP_IF_NONE_MATCH=f'"{digest}"')
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == f'"{digest}"'
    assert all('"pdf"' not in query["sql"] for query in queries.captured_queries)
    # A download after the first reads the bytes from the cache, not the database.
    with django_assert_num_queries(6):
        again = client.get(url)
    assert hashlib.sha256(again.content).hexdigest() == digest
