"""Rows of the budget year (a requirement's text, an indicator's target) are versioned
instead of frozen: once 2006-H1 is submitted with its snapshot, the open year report may
still change them, the half-year report keeps what it printed, and the history records
old -> new. Once the year report is submitted, they are locked."""

import csv
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from goals.models import ChangeRecord, Indicator, ReportingPeriod, ResultRequirement
from imdi_reporting.models import ReportSnapshot
from imdi_reporting.opendata.package import table_files
from imdi_reporting.reports import services
from tests.imdi_reporting.reports.conftest import (
    article,
    h1_period,
    reading_text,
    squash,
    submit,
)
from tests.security.conftest import checksum

NEW_TEXT = "Ny kravtekst skrevet for årsrapporten (test)."
NEW_TARGET = Decimal("987654")


def admin_change(client, obj, **changes):
    """Post the object's admin change form with ``changes``; its inline rows are left as
    they are (none are sent)."""
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    page = client.get(url)
    if page.status_code != 200 or "adminform" not in page.context:
        return page
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name)}
    for formset in page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(changes)
    return client.post(url, {k: v for k, v in data.items() if v is not None})


def requirement() -> ResultRequirement:
    # R1-3 is printed in part II of the half-year and the year report.
    return ResultRequirement.objects.get(code="R1-3", main_goal__budget_year__year=2006)


def indicator() -> Indicator:
    # An indicator with a target that the form of 2006-H1 prints.
    return Indicator.objects.filter(budget_year__year=2006, target__isnull=False).order_by("pk")[0]


def shows_target(html: str) -> bool:
    return re.search(r"987\D{0,8}654", html) is not None


def records(obj, field: str):
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, field=field
    )


def year_period() -> ReportingPeriod:
    return ReportingPeriod.objects.select_related("budget_year__agency").get(
        kind="Y", budget_year__year=2006
    )


def test_it_lets_the_open_year_report_change_year_rows_and_h1_keeps_what_it_printed(
    submitted_h1, client_for
):
    old_text = requirement().text
    client = client_for("admin")
    h1_full = article(client.get(reverse("reports:full", args=["2006-H1"])).content.decode())
    assert old_text in h1_full and NEW_TEXT not in h1_full

    assert admin_change(client, requirement(), text=NEW_TEXT).status_code == 302
    assert admin_change(client, indicator(), target=str(NEW_TARGET)).status_code == 302
    assert requirement().text == NEW_TEXT
    assert indicator().target == NEW_TARGET

    # The half-year report, page and PDF, keeps what it printed.
    page = client.get(reverse("reports:full", args=["2006-H1"])).content.decode()
    assert article(page) == h1_full
    assert not shows_target(h1_full)
    frozen = services.freeze_report(period=submitted_h1, part="form")
    printed = reading_text(bytes(frozen.pdf))
    assert not shows_target(printed)
    form = ReportSnapshot.objects.get(
        period=submitted_h1, part="form", submitted_at=submitted_h1.submitted_at
    )
    assert not shows_target(form.html)
    assert escape(indicator().name) in form.html
    assert squash(indicator().name) in printed

    # The open year report shows the new text and target.
    year = client.get(reverse("reports:full", args=["2006"])).content.decode()
    assert NEW_TEXT in article(year)
    assert shows_target(article(year))

    # The history has both changes, old -> new, made through the admin.
    text = records(requirement(), "text").get()
    assert (text.old, text.new, text.path) == (old_text, NEW_TEXT, "admin")
    target = records(indicator(), "target").get()
    assert target.new.startswith("987654") and target.old != target.new


def requirement_texts(data: bytes) -> dict[str, str]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8")))
    return {row["requirement"]: row["text"] for row in rows}


def test_the_half_years_open_data_keeps_the_text_it_published(submitted_h1, client_for):
    old_text = requirement().text
    client = client_for("admin")
    assert admin_change(client, requirement(), text=NEW_TEXT).status_code == 302

    response = client.get(reverse("reports:open_data", args=["2006-H1"]))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith("/result_requirements.csv")]
        published = requirement_texts(archive.read(name))
    assert published["R1-3"] == old_text
    # The data as it is now, which the open year report will publish, has the new text.
    now = table_files(period=year_period())["result_requirements.csv"]
    assert requirement_texts(now)["R1-3"] == NEW_TEXT


def test_it_lets_the_model_and_queryset_paths_change_year_rows_after_the_half_year(
    submitted_h1,
):
    row = indicator()
    row.target = NEW_TARGET
    row.save()
    assert records(row, "target").get().new.startswith("987654")
    assert ResultRequirement.objects.filter(pk=requirement().pk).update(text=NEW_TEXT) == 1


def test_it_refuses_the_same_edits_once_the_year_report_is_submitted(
    submitted_h1, client_for, demo_user
):
    submit(user=demo_user("direktor"), period=year_period())
    before = checksum()
    client = client_for("admin")
    assert admin_change(client, requirement(), text=NEW_TEXT).status_code == 403
    assert admin_change(client, indicator(), target=str(NEW_TARGET)).status_code == 403
    row = requirement()
    row.text = NEW_TEXT
    with pytest.raises(ValidationError, match="årsrapporten IMDi-2006 er sendt inn"):
        row.save()
    with pytest.raises(ValidationError):
        Indicator.objects.filter(pk=indicator().pk).update(target=NEW_TARGET)
    assert checksum() == before
    assert not records(requirement(), "text").exists()


def test_it_keeps_year_rows_locked_while_a_submitted_half_year_has_no_snapshot(
    organisation, client_for
):
    """2006-H1 of the fixtures was submitted before snapshots existed: its report would
    print the changed row, so the old rule holds until its snapshot is taken."""
    from goals.loaders import load_goals_demo
    from imdi_reporting.services import FIXTURES_DIR

    load_goals_demo(directory=FIXTURES_DIR / "goals")
    row = requirement()
    row.text = NEW_TEXT
    with pytest.raises(ValidationError, match="ennå ikke har en lagret kopi"):
        row.save()
    assert requirement().text != NEW_TEXT

    # Opening the half-year report once stores its snapshot; the row may then change.
    client_for("direktor").get(reverse("reports:accounts", args=["2006-H1"]))
    assert ReportSnapshot.objects.filter(period=h1_period()).count() == 3
    row.save()
    assert requirement().text == NEW_TEXT
