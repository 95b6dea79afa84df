"""The accessibility statement (Tilgjengelighetserklæring) and its feedback form."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from imdi_reporting.models import FEEDBACK_DESCRIPTION_MAX_LENGTH, AccessibilityFeedback

URL = "/tilgjengelighet/"
FOOTER_LINK = f'<a href="{URL}">Tilgjengelighetserklæring</a>'


@pytest.fixture(autouse=True)
def admins_and_a_fresh_limit():
    cache.clear()
    with override_settings(ADMINS=["drift@example.org", "uu@example.org"]):
        yield
    cache.clear()


def report(client, *, remote: str = "127.0.0.1", **fields):
    data = {"description": "Knappen Send inn kan ikke nås med tastaturet.", "url": "/"}
    data.update(fields)
    return client.post(URL, data, REMOTE_ADDR=remote)


def test_the_statement_is_public_and_in_bokmal(client, db):
    response = client.get(reverse("accessibility"))
    page = response.content.decode()
    assert reverse("accessibility") == URL
    assert response.status_code == 200
    assert '<html lang="nb">' in page
    assert "<h1>Tilgjengelighetserklæring</h1>" in page
    assert "WCAG 2.1" in page
    assert "nivå AA" in page
    assert "axe-core" in page
    assert "bare med tastaturet" in page
    assert "Erklæringen ble laget 02.12.2026." in page
    assert "PDF/A" in page
    assert "tekstbeskrivelse" in page
    assert '<a href="https://www.uustatus.no/">uustatus.no</a>' in page


def test_the_footer_of_the_login_page_links_to_the_statement(client, db):
    page = client.get(reverse("login")).content.decode()
    assert FOOTER_LINK in page.split('class="site-footer"')[1]


def test_the_footer_of_the_start_page_links_to_the_statement(client_for):
    page = client_for("ne").get(reverse("home")).content.decode()
    assert FOOTER_LINK in page.split('class="site-footer"')[1]


def test_the_page_address_is_filled_in_from_the_page_the_visitor_came_from(client, db):
    response = client.get(URL, headers={"Referer": "http://testserver/budsjett/?periode=2006"})
    assert response.context["form"]["url"].value() == "/budsjett/?periode=2006"
    elsewhere = client.get(URL, headers={"Referer": "https://example.org/budsjett/"})
    assert elsewhere.context["form"]["url"].value() == ""


def test_a_report_is_stored_and_mailed_once_to_the_admins(client_for):
    client = client_for("ne")
    response = report(client, name="Kari", email="kari@example.org")
    assert response.status_code == 302
    assert response["Location"] == f"{URL}#main"
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.description == "Knappen Send inn kan ikke nås med tastaturet."
    assert (feedback.url, feedback.name, feedback.email) == ("/", "Kari", "kari@example.org")
    assert feedback.user.username == "ne"
    assert feedback.handled is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["drift@example.org", "uu@example.org"]
    assert message.subject == "[Mål- og resultatstyring] Tilbakemelding om tilgjengelighet"
    assert "Knappen Send inn kan ikke nås med tastaturet." in message.body
    assert "Side: /" in message.body
    assert "Innlogget bruker: ne" in message.body
    assert f"/admin/imdi_reporting/accessibilityfeedback/{feedback.pk}/change/" in message.body


def test_after_sending_the_visitor_is_thanked(client, db):
    page = client.get(report(client)["Location"]).content.decode()
    assert "Takk. Meldingen din er sendt til administratorene." in page


def test_an_anonymous_report_needs_only_the_description(client, db):
    response = client.post(URL, {"description": "Kontrasten er for svak."})
    assert response.status_code == 302
    feedback = AccessibilityFeedback.objects.get()
    assert (feedback.user, feedback.name, feedback.email, feedback.url) == (None, "", "", "")
    assert len(mail.outbox) == 1


def test_an_empty_description_is_refused_and_nothing_is_stored(client, db):
    response = report(client, description="   ")
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["description"] == ["Dette feltet er påkrevd."]
    assert "Meldingen ble ikke sendt." in page
    assert 'aria-invalid="true"' in page
    assert not AccessibilityFeedback.objects.exists()
    assert mail.outbox == []


def test_a_too_long_description_is_refused_and_nothing_is_stored(client, db):
    response = report(client, description="x" * (FEEDBACK_DESCRIPTION_MAX_LENGTH + 1))
    assert response.status_code == 200
    assert response.context["form"].errors["description"] == [
        "Sørg for at denne verdien har 4000 eller færre tegn (den har nå 4001)."
    ]
    assert not AccessibilityFeedback.objects.exists()
    assert mail.outbox == []


def test_a_description_of_exactly_the_maximum_length_is_accepted(client, db):
    assert report(client, description="x" * FEEDBACK_DESCRIPTION_MAX_LENGTH).status_code == 302
    assert AccessibilityFeedback.objects.count() == 1


def test_the_form_and_the_model_hold_the_same_limits(db):
    from imdi_reporting.forms import AccessibilityFeedbackForm

    form = AccessibilityFeedbackForm()
    for name in ("name", "email", "url", "description"):
        assert (
            form.fields[name].max_length == AccessibilityFeedback._meta.get_field(name).max_length
        )
    assert form.fields["description"].max_length == FEEDBACK_DESCRIPTION_MAX_LENGTH


def test_the_database_refuses_a_description_over_the_limit(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AccessibilityFeedback.objects.create(
            description="x" * (FEEDBACK_DESCRIPTION_MAX_LENGTH + 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessibilityFeedback.objects.create(description="")


def test_an_invalid_email_is_refused(client, db):
    response = report(client, email="ikke-en-adresse")
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not AccessibilityFeedback.objects.exists()


def test_the_sixth_report_within_an_hour_is_refused(client, db):
    for _ in range(5):
        assert report(client).status_code == 302
    response = report(client)
    assert response.status_code == 429
    assert "Vent en time før du sender en ny." in response.content.decode()
    assert AccessibilityFeedback.objects.count() == 5
    assert len(mail.outbox) == 5


def test_the_limit_counts_each_address_on_its_own(client, db):
    for _ in range(5):
        report(client, remote="10.0.0.1")
    assert report(client, remote="10.0.0.1").status_code == 429
    assert report(client, remote="10.0.0.2").status_code == 302


def test_the_admin_lists_the_reports_for_an_administrator(client_for):
    AccessibilityFeedback.objects.create(description="Fokus synes ikke i menyen.", url="/")
    response = client_for("admin").get(
        reverse("admin:imdi_reporting_accessibilityfeedback_changelist")
    )
    assert response.status_code == 200
    assert "Fokus synes ikke i menyen." in response.content.decode()
