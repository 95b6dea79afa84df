"""Faults found by trying the pages as each role: links, labels and number formats."""

from decimal import Decimal

from django.template import Context, Template
from django.urls import reverse

from goals.formatting import format_measure


def test_it_leads_the_approver_from_my_requirements_to_the_approval(
    content, client_for, year_period
):
    answer = client_for("direktor").get(reverse("goals:my-requirements"))
    assert answer.status_code == 302
    assert answer.url == reverse("goals:approval", args=[year_period.slug])


def test_it_still_shows_the_editor_their_requirements(content, client_for):
    page = client_for("ne").get(reverse("goals:my-requirements"))
    assert page.status_code == 200
    assert "R1-3" in page.text


def test_it_hides_the_edit_link_on_another_units_requirement_and_says_who_may(
    content, client_for, year_period
):
    client = client_for("ne")
    other = client.get(reverse("goals:requirement-detail", args=[year_period.slug, "R1-1"])).text
    assert reverse("goals:edit-narrative", args=[year_period.slug, "R1-1"]) not in other
    assert "Bare VEST (ANSV) eller en godkjenner kan endre rapporteringen på R1-1." in other
    own = client.get(reverse("goals:requirement-detail", args=[year_period.slug, "R1-3"])).text
    assert reverse("goals:edit-narrative", args=[year_period.slug, "R1-3"]) in own


def test_it_links_the_requirement_to_its_units_extract_of_the_form(content, client_for):
    page = client_for("ne").get(reverse("goals:requirement-detail", args=["2006-H1", "R1-1"]))
    assert reverse("reports:form", args=["IMDi-2006-H1"]) + "?enhet=VEST" in page.text
    assert "Skjemaet for VEST" in page.text


def test_it_prints_a_count_without_decimals(content, client_for):
    assert format_measure(Decimal("440.00")) == "440"
    assert format_measure(Decimal("6.10")) == "6,1"
    assert format_measure(Decimal("-1234.5")) == "\u22121 234,5"
    page = client_for("ne").get(reverse("goals:requirement-detail", args=["2006-H1", "R1-3"]))
    assert "2006-H1: 440 tolker" in page.text
    assert "440,0" not in page.text


def test_it_right_aligns_the_number_columns_of_the_approval_page(content, client_for):
    page = client_for("direktor").get(reverse("goals:approval", args=["2006"])).text
    assert '<td class="num">' in page
    assert reverse("reports:form", args=["IMDi-2006"]) + "?enhet=NE" in page


def test_it_keeps_the_percent_sign_with_its_number():
    rendered = Template("({{ share|nb_percent:0 }})").render(Context({"share": Decimal("0.42")}))
    assert rendered == "(42\u00a0%)"
