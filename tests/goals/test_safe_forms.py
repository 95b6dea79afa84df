"""Forms that lose nothing: save before marking ready, a warning script, conflicts side by side."""

from django.urls import reverse

from goals.models import Activity, RequirementNarrative, StatusUpdate
from goals.services import save_status_update


def url(position: int) -> str:
    return reverse("goals:edit-status-update", args=["2006", position])


def r1_3() -> Activity:
    return Activity.objects.get(requirement__code="R1-3")


def test_it_saves_the_edits_before_marking_the_update_ready(content, client_for, year_period):
    client = client_for("ne")
    position = r1_3().position
    client.post(url(position), {"attainment": "Første utkast.", "status": "on_track", "version": 0})
    answer = client.post(
        url(position),
        {"attainment": "Rettet tekst.", "status": "achieved", "version": 1, "then": "ready"},
    )
    assert answer.status_code == 302
    update = StatusUpdate.objects.get(activity=r1_3(), period=year_period)
    assert (update.attainment, update.status, update.state) == (
        "Rettet tekst.",
        "achieved",
        "ready",
    )


def test_it_offers_no_separate_ready_button_that_would_drop_the_edits(
    content, client_for, year_period
):
    client = client_for("ne")
    position = r1_3().position
    client.post(url(position), {"attainment": "Utkast.", "status": "on_track", "version": 0})
    page = client.get(url(position)).text
    assert reverse("goals:mark-ready", args=["2006", position]) not in page
    assert 'name="then" value="ready"' in page
    assert "data-warn-unsaved" in page
    assert "js/unsaved.js" in page


def test_it_shows_both_texts_side_by_side_on_a_conflict(
    content, client_for, demo_user, year_period
):
    save_status_update(
        user=demo_user("direktor"),
        activity=r1_3(),
        period=year_period,
        version=0,
        attainment="Direktørens tekst.",
        status="deviation",
    )
    client = client_for("ne")
    answer = client.post(
        url(r1_3().position), {"attainment": "Min tekst.", "status": "on_track", "version": 0}
    )
    assert answer.status_code == 409
    text = answer.text
    assert "Din tekst (ikke lagret)" in text and "Min tekst." in text
    assert "Lagret tekst (versjon 1)" in text and "Direktørens tekst." in text
    assert 'data-warn-unsaved="changed"' in text
    update = StatusUpdate.objects.get(activity=r1_3(), period=year_period)
    assert update.attainment == "Direktørens tekst."


def test_it_shows_both_narratives_side_by_side_on_a_conflict(content, client_for, year_period):
    target = reverse("goals:edit-narrative", args=["2006", "R1-3"])
    client_for("direktor").post(target, {"status": "Først lagret.", "version": 0})
    answer = client_for("ne").post(target, {"status": "Kom for sent.", "version": 0})
    assert answer.status_code == 409
    assert "Først lagret." in answer.text and "Kom for sent." in answer.text
    narrative = RequirementNarrative.objects.get(period=year_period, requirement__code="R1-3")
    assert narrative.status == "Først lagret."
