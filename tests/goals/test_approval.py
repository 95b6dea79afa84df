"""Approval that scales: four eyes, approval only from "ready", several at once (all or
nothing), cards with requirement, unit, author, time and a word diff; fixture dates."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from goals.models import Activity, ReportingPeriod, StatusUpdate
from goals.selectors import word_diff
from goals.services import approve_update, approve_updates, mark_ready, save_status_update


def ready_update(*, user, period, requirement: str, text: str) -> StatusUpdate:
    activity = Activity.objects.get(requirement__code=requirement)
    update = save_status_update(
        user=user, activity=activity, period=period, version=0, attainment=text, status="on_track"
    )
    return mark_ready(user=user, update=update)


def test_it_refuses_an_approver_approving_what_they_wrote(content, demo_user, year_period):
    direktor = demo_user("direktor")
    update = ready_update(user=direktor, period=year_period, requirement="R1-3", text="Egen.")

    with pytest.raises(ValidationError) as refused:
        approve_update(user=direktor, update=update)

    assert "en annen godkjenner må godkjenne den" in refused.value.messages[0]
    assert StatusUpdate.objects.get(pk=update.pk).state == "ready"


def test_it_approves_only_from_ready(content, demo_user, year_period):
    activity = Activity.objects.get(requirement__code="R1-3")
    draft = save_status_update(
        user=demo_user("ne"),
        activity=activity,
        period=year_period,
        version=0,
        attainment="Utkast.",
        status="on_track",
    )

    with pytest.raises(ValidationError) as refused:
        approve_update(user=demo_user("direktor"), update=draft)

    assert refused.value.messages[0] == (
        "R1-3, rad 3 er utkast: bare en oppdatering som er merket klar til godkjenning, "
        "kan godkjennes."
    )
    assert StatusUpdate.objects.get(pk=draft.pk).state == "draft"


def test_it_approves_several_at_once_or_none(content, demo_user, year_period):
    direktor = demo_user("direktor")
    theirs = ready_update(user=demo_user("ne"), period=year_period, requirement="R1-3", text="A")
    own = ready_update(user=direktor, period=year_period, requirement="R1-1", text="B")

    with pytest.raises(ValidationError) as refused:
        approve_updates(user=direktor, period=year_period, update_ids=[theirs.pk, own.pk])

    assert refused.value.messages[0] == "Ingenting ble godkjent."
    assert refused.value.messages[1].startswith("R1-1, rad 2: du lagret den siste versjonen")
    assert set(StatusUpdate.objects.values_list("state", flat=True)) == {"ready", "approved"}
    assert StatusUpdate.objects.get(pk=theirs.pk).state == "ready"

    approved = approve_updates(user=direktor, period=year_period, update_ids=[theirs.pk])
    assert [u.state for u in approved] == ["approved"]


def test_it_approves_the_ticked_updates_on_the_page(content, demo_user, year_period, client_for):
    first = ready_update(user=demo_user("ne"), period=year_period, requirement="R1-3", text="A")
    second = ready_update(user=demo_user("vest"), period=year_period, requirement="R1-1", text="B")
    client = client_for("direktor")
    url = reverse("goals:approval", args=[year_period.slug])

    response = client.post(
        url, {"action": "approve-selected", "updates": [first.pk, second.pk]}, follow=True
    )

    assert "2 oppdateringer er godkjent." in response.content.decode()
    assert set(StatusUpdate.objects.values_list("state", flat=True)) == {"approved"}


def test_it_names_the_refused_update_on_the_page(content, demo_user, year_period, client_for):
    own = ready_update(user=demo_user("direktor"), period=year_period, requirement="R1-1", text="B")
    client = client_for("direktor")
    url = reverse("goals:approval", args=[year_period.slug])

    page = client.post(url, {"action": "approve-selected", "updates": [own.pk]}, follow=True)

    assert "R1-1, rad 2" in page.content.decode()
    assert StatusUpdate.objects.get(pk=own.pk).state == "ready"


def test_it_returns_with_a_reason_on_the_page(content, demo_user, year_period, client_for):
    update = ready_update(user=demo_user("ne"), period=year_period, requirement="R1-3", text="A")
    client = client_for("direktor")
    url = reverse("goals:approval", args=[year_period.slug])

    client.post(url, {"action": "return", "update": update.pk, "reason": "Mangler tall."})

    update.refresh_from_db()
    assert (update.state, update.return_reason) == ("returned", "Mangler tall.")
    assert update.updated_by.username == "ne"


def test_it_shows_the_card_with_requirement_unit_author_and_escaped_diff(
    content, demo_user, year_period, client_for
):
    ne = demo_user("ne")
    activity = Activity.objects.get(requirement__code="R1-3")
    first = save_status_update(
        user=ne,
        activity=activity,
        period=year_period,
        version=0,
        attainment="Tre kurs holdt.",
        status="on_track",
    )
    second = save_status_update(
        user=ne,
        activity=activity,
        period=year_period,
        version=first.version,
        attainment="Fire kurs holdt <script>alert(1)</script>.",
        status="on_track",
    )
    mark_ready(user=ne, update=second)

    html = client_for("direktor").get(reverse("goals:approval", args=[year_period.slug]))
    html = html.content.decode()

    card = html[html.index('<article class="card">') :]
    card = card[: card.index("</article>")]
    assert "R1-3 · rad 3" in card
    assert "Enhet: NE" in card
    assert "Sist lagret av Rapportør NE" in card
    assert "<del>Tre</del>" in card
    assert "<ins>Fire</ins>" in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;." in card
    assert "<script>alert" not in card


def test_it_diffs_words_kept_inserted_and_deleted():
    assert word_diff(old="a b c", new="a x c d") == [
        {"kind": "same", "text": "a"},
        {"kind": "deleted", "text": "b"},
        {"kind": "inserted", "text": "x"},
        {"kind": "same", "text": "c"},
        {"kind": "inserted", "text": "d"},
    ]


def test_it_dates_fixture_updates_from_the_period_and_names_the_unit_editor(content):
    period = ReportingPeriod.objects.get(kind="H1")
    update = StatusUpdate.objects.get(period=period, activity__requirement__code="R1-1")

    assert update.updated_at == period.submitted_at
    assert update.updated_by.username == "vest"
    assert not StatusUpdate.objects.filter(period=period, updated_at__gt=period.submitted_at)
