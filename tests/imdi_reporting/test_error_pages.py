"""The 400, 403, 404, 500 and refused-form pages, with DEBUG off as in production."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.urls("tests.imdi_reporting.error_urls")


@pytest.fixture(autouse=True)
def debug_off():
    with override_settings(DEBUG=False):
        yield


def site_header(page: str) -> bool:
    return 'class="site-header"' in page and 'href="/"' in page


def test_an_unknown_address_gets_the_site_404_page_in_bokmal_with_the_menu(client_for):
    response = client_for("ne").get("/finnes-ikke/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="nb">' in page
    assert site_header(page)
    assert 'class="site-nav"' in page
    assert "Siden eller perioden finnes ikke, eller er ikke tilgjengelig for deg." in page
    assert "Gå til forsiden" in page
    assert "<code>/finnes-ikke/</code>" in page


def test_a_period_the_reader_may_not_see_is_explained_by_the_views_message(client_for):
    response = client_for("aid").get("/rapporter/2099-H1/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Siden eller perioden finnes ikke" in page
    assert "Perioden finnes ikke, eller du har ikke tilgang til den." in page
    assert 'class="site-nav"' in page


def test_the_404_page_is_in_english_when_the_user_chose_english(client_for):
    client = client_for("ne")
    client.cookies["django_language"] = "en"
    page = client.get("/finnes-ikke/").content.decode()
    assert '<html lang="en">' in page
    assert "The page or period does not exist or is not available to you." in page


def test_an_anonymous_visitor_gets_the_404_page_without_the_menu(client, db):
    response = client.get("/finnes-ikke/")
    assert response.status_code == 404
    assert site_header(response.content.decode())


def test_a_refusal_with_a_reason_shows_who_may_do_it_and_how_to_get_access(client_for):
    response = client_for("ne").get("/feil/403-grunn/")
    page = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="nb">' in page
    assert site_header(page)
    assert 'class="site-nav"' in page
    assert "Bare en godkjenner kan sende inn perioden." in page
    assert "Spør administratoren din" in page
    assert "Du er logget inn med rollen: Enhetsrapportør." in page


def test_a_bare_refusal_names_the_roles_and_who_may_submit(client_for):
    response = client_for("ne").get("/feil/403/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Rollen din gir ikke tilgang til denne siden eller handlingen." in page
    assert "Bare godkjenneren returnerer og godkjenner statusoppdateringer" in page
    assert "Spør administratoren din" in page


def test_the_portfolio_refused_to_a_unit_editor_uses_the_site_403_page(client_for):
    response = client_for("ne").get(reverse("portfolio"))
    assert response.status_code == 403
    assert "Du har ikke tilgang til dette" in response.content.decode()


def test_a_malformed_request_gets_the_site_400_page(client, db):
    response = client.get("/feil/400/")
    page = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="nb">' in page
    assert site_header(page)
    assert "Forespørselen kunne ikke forstås" in page


def test_an_unknown_host_gets_the_site_400_page(client, db):
    response = client.get("/", headers={"Host": "angriper.example"})
    assert response.status_code == 400
    assert "Forespørselen kunne ikke forstås" in response.content.decode()


def test_a_form_without_its_security_token_gets_the_site_page_saying_what_to_do(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "ne", "password": "demo"})
    page = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="nb">' in page
    assert site_header(page)
    assert "Skjemaet kunne ikke sendes" in page
    assert "last siden på nytt" in page


def test_the_500_page_renders_with_the_request_id_when_the_database_is_down():
    client = Client(raise_request_exception=False)
    down = OperationalError("the database is down")
    with (
        mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=down),
        mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=down),
    ):
        response = client.get("/feil/500/", headers={"X-Request-ID": "abc123"})
    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="nb">' in page
    assert site_header(page)
    assert "Noe gikk galt" in page
    assert "Vi beklager" in page
    assert "<code>abc123</code>" in page
    assert response["X-Request-ID"] == "abc123"


def test_the_500_page_has_a_generated_reference_when_the_proxy_sent_none():
    client = Client(raise_request_exception=False)
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError("down")):
        response = client.get("/feil/500/")
    assert response.status_code == 500
    assert f"<code>{response['X-Request-ID']}</code>" in response.content.decode()


def test_errors_under_the_api_stay_json(client_for):
    client = client_for("ne")
    missing = client.get("/api/finnes-ikke/")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    failing = Client(raise_request_exception=False)
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError("down")):
        response = failing.get("/api/feil/500/", headers={"X-Request-ID": "abc123"})
    # The database down is the service unavailable for now, not a fault of the request.
    assert response.status_code == 503
    assert response.json() == {"detail": "Tjenesten er utilgjengelig.", "request_id": "abc123"}
