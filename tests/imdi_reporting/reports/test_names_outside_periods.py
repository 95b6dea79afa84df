"""Names that belong to no period (the agency, its units, the budget chapters and posts,
the ministry, municipalities and counties) may be renamed at any time: a submitted report
keeps the names it printed in its snapshot, and every rename is in the history."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from budget.models import Post
from goals.history import change_context
from goals.models import Agency, ChangeRecord, Ministry, OrganisationalUnit
from imdi_reporting.reports.services import render_report_html
from settlement.models import County, Municipality
from tests.imdi_reporting.reports.conftest import article


def rename(obj, field: str = "name", suffix: str = " (nytt navn)") -> tuple[str, str]:
    old = getattr(obj, field)
    setattr(obj, field, old + suffix)
    obj.save()
    return old, getattr(obj, field)


def the_post() -> Post:
    return Post.objects.get(chapter__agency__code="IMDi", chapter__number="0650", number="01")


def test_it_keeps_the_submitted_report_byte_for_byte_when_names_change(submitted_h1, client_for):
    client = client_for("direktor")
    pages = {
        name: article(client.get(reverse(name, args=["2006-H1"])).content.decode())
        for name in ("reports:full", "reports:form", "reports:accounts")
    }
    post, agency = the_post(), Agency.objects.get(code="IMDi")
    assert post.name in pages["reports:accounts"] and agency.name in pages["reports:full"]

    _old, new_post = rename(post)
    rename(post.chapter)
    _old, new_agency = rename(agency)
    rename(agency.ministry)
    for unit in OrganisationalUnit.objects.filter(agency=agency):
        rename(unit)

    for name, before in pages.items():
        after = article(client.get(reverse(name, args=["2006-H1"])).content.decode())
        assert after == before, name
    # Rendered from the data now, the reports print the new names.
    year = article(client.get(reverse("reports:full", args=["2006"])).content.decode())
    assert new_agency in year
    assert new_post in render_report_html(period=submitted_h1, part="accounts")


def test_it_records_every_rename_in_the_history(submitted_h1, demo_user):
    county = County.objects.create(code="99", name="Testfylke")
    municipality = Municipality.objects.create(code="9999", name="Testkommune", county=county)
    post = the_post()
    renamed = [
        post,
        post.chapter,
        Agency.objects.get(code="IMDi"),
        Ministry.objects.get(agencies__code="IMDi"),
        OrganisationalUnit.objects.filter(agency__code="IMDi").order_by("pk").first(),
        municipality,
        county,
    ]
    with change_context(path="admin", user=demo_user("admin")):
        changes = [(obj, *rename(obj)) for obj in renamed]
    for obj, old, new in changes:
        record = ChangeRecord.objects.get(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            field="name",
            action="changed",
        )
        assert (record.old, record.new) == (old, new), obj
        assert (record.path, record.changed_by.username) == ("admin", "admin"), obj
