import pytest

from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser

USERNAMES = ["aid", "ne", "vest", "paks", "adm", "komm", "direktor", "admin"]


def test_it_logs_in_and_out_by_keyboard_alone(page):
    log_in(page, "ne")
    assert page.locator("h1").inner_text() == "Oversikt"
    # The first Tab reaches the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.focus("form[action='/logg-ut/'] button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/logg-inn/")
    assert page.locator("h1").inner_text() == "Logg inn"


def test_it_switches_to_english_with_the_keyboard(page):
    log_in(page, "direktor")
    page.focus("#language-select")
    page.keyboard.press("End")
    assert page.eval_on_selector("#language-select", "select => select.value") == "en"
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Overview"
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_wrong_password_is_explained(page):
    page.goto(page.url_for("/logg-inn/"))
    page.fill("#id_username", "ne")
    page.fill("#id_password", "feil")
    page.press("#id_password", "Enter")
    page.wait_for_load_state()
    assert page.get_by_role("alert").count() == 1


def test_the_login_page_has_no_wcag_violations(page):
    page.goto(page.url_for("/logg-inn/"))
    assert axe_violations(page) == []


@pytest.mark.parametrize("username", USERNAMES)
def test_the_start_page_has_no_wcag_violations_for_any_role(page, username):
    log_in(page, username)
    assert axe_violations(page) == []


def test_the_accessibility_statement_is_reached_from_the_footer_by_keyboard(page):
    page.goto(page.url_for("/logg-inn/"))
    page.focus("footer.site-footer a[href='/tilgjengelighet/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Tilgjengelighetserklæring"
    assert axe_violations(page) == []


def test_a_problem_is_reported_by_keyboard_and_the_errors_are_announced(page):
    page.goto(page.url_for("/tilgjengelighet/"))
    # Sent with nothing written: the page comes back with the errors.
    page.focus("form.feedback-form button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("alert").count() == 1
    assert page.locator("#id_description").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []
    page.focus("#id_description")
    page.keyboard.type("Fokusmarkeringen forsvinner i tabellene.")
    page.focus("form.feedback-form button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Takk." in page.get_by_role("status").inner_text()
    assert axe_violations(page) == []


def test_the_error_pages_have_no_wcag_violations(page):
    log_in(page, "ne")
    for path, status in (("/finnes-ikke/", 404), ("/portefolje/", 403)):
        response = page.goto(page.url_for(path))
        assert response.status == status
        assert page.locator("nav.site-nav").count() == 1
        assert axe_violations(page) == [], path
