"""Search over requirements, form rows, status texts and feedback, as the user may read them."""

from django.urls import reverse

from goals.models import Activity, ReportingPeriod, ResultRequirement
from goals.services import add_feedback, save_status_update


def test_it_finds_requirements_rows_status_texts_and_feedback(content, client_for, demo_user):
    h1 = ReportingPeriod.objects.get(kind="H1")
    add_feedback(
        user=demo_user("aid"),
        requirement=ResultRequirement.objects.get(code="R1-1"),
        period=h1,
        text="Hvorfor så lang ventetid i Bergen?",
    )
    client = client_for("ne")
    kinds = {
        hit.kind: hit for hit in client.get(reverse("search"), {"q": "intro-loven"}).context["hits"]
    }
    assert set(kinds) == {"Resultatkrav", "Skjemarad"}
    assert kinds["Resultatkrav"].title == "R1-3"
    page = client.get(reverse("search"), {"q": "ventetiden"})
    assert [hit.kind for hit in page.context["hits"]] == ["Statusoppdatering"]
    assert reverse("goals:edit-status-update", args=[h1.slug, 2]) in page.text
    feedback = client.get(reverse("search"), {"q": "bergen"}).context["hits"]
    assert [(hit.kind, hit.title) for hit in feedback] == [("Tilbakemelding", "R1-1")]


def test_it_hides_what_the_ministry_may_not_read(content, client_for, demo_user, year_period):
    save_status_update(
        user=demo_user("ne"),
        activity=Activity.objects.get(requirement__code="R1-3"),
        period=year_period,
        version=0,
        attainment="Hemmelig utkast om tolkeregisteret.",
        status="on_track",
    )
    assert client_for("ne").get(reverse("search"), {"q": "hemmelig"}).context["hits"]
    assert client_for("aid").get(reverse("search"), {"q": "hemmelig"}).context["hits"] == []
    # The ministry finds the submitted half year's texts.
    assert client_for("aid").get(reverse("search"), {"q": "ventetiden"}).context["hits"]


def test_it_needs_two_characters_and_has_a_box_in_the_header(content, client_for):
    page = client_for("ne").get(reverse("search"), {"q": "a"})
    assert page.context["hits"] == []
    assert "Skriv minst to tegn." in page.text
    assert 'action="/sok/"' in client_for("ne").get(reverse("home")).text


def test_it_runs_a_bounded_number_of_queries(content, client_for, django_assert_num_queries):
    client = client_for("ne")
    # session, user, user and group permissions, profile, visible periods; requirements,
    # form rows, status updates, narratives, feedback.
    with django_assert_num_queries(11):
        client.get(reverse("search"), {"q": "tolk"})
