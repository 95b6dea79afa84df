"""The account pages in Chromium: API keys, password change and the login lockout, each
checked with axe-core."""

import pytest

from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser


def test_a_user_creates_sees_once_and_revokes_an_api_key(page, orm):
    from imdi_reporting.models import ApiToken
    from imdi_reporting.services import hash_api_key

    log_in(page, "komm")
    page.click("header a:has-text('API-nøkler')")
    assert page.locator("h1").inner_text() == "API-nøkler"
    assert axe_violations(page) == []
    page.fill("#id_name", "Nettleserprøve")
    page.press("#id_name", "Enter")
    page.wait_for_selector("#new-key")
    key = page.input_value("#new-key")
    assert ApiToken.objects.get(name="Nettleserprøve").key_hash == hash_api_key(key)
    assert "vises ikke igjen" in page.locator("[role=alert]").inner_text()
    assert axe_violations(page) == []
    page.goto(page.url_for("/konto/api-nokler/"))
    assert key not in page.content()
    page.click("button:has-text('Tilbakekall')")
    page.wait_for_selector("text=er tilbakekalt")
    assert ApiToken.objects.get(name="Nettleserprøve").revoked_at is not None
    assert axe_violations(page) == []


def test_the_password_page_is_accessible(page):
    log_in(page, "paks")
    page.click("header a:has-text('Endre passord')")
    assert page.locator("h1").inner_text() == "Endre passord"
    assert axe_violations(page) == []
    page.fill("#id_old_password", "feil")
    page.press("#id_old_password", "Enter")
    page.wait_for_selector(".errorlist")
    assert axe_violations(page) == []


def test_the_lockout_page_is_accessible(page):
    page.goto(page.url_for("/logg-inn/"))
    for _ in range(5):
        page.fill("#id_username", "adm")
        page.fill("#id_password", "feil")
        with page.expect_navigation():
            page.press("#id_password", "Enter")
    assert page.locator("h1").inner_text() == "Innlogging sperret"
    assert axe_violations(page) == []
