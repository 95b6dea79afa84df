"""The service in nynorsk: chosen by keyboard, remembered at the next login, and every page
reachable from the navigation in nynorsk and free of WCAG 2.1 A/AA violations."""

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_accessibility_crawl import crawl

pytestmark = pytest.mark.browser

# Words of the menu and header that differ between the two written standards.
NYNORSK_CHROME = ["Oversyn", "Busetjing", "Rapportar"]


def choose_nynorsk_by_keyboard(page) -> None:
    page.focus("#language-select")
    page.select_option("#language-select", "nn")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_user_chooses_nynorsk_and_keeps_it_at_the_next_login(page):
    log_in(page, "ne")
    choose_nynorsk_by_keyboard(page)
    assert page.locator("html").get_attribute("lang") == "nn"
    assert page.locator("h1").inner_text() == "Oversyn"
    page.context.clear_cookies()
    log_in(page, "ne")
    assert page.locator("html").get_attribute("lang") == "nn"
    assert page.locator("h1").inner_text() == "Oversyn"


@pytest.mark.parametrize("username", ["direktor", "aid"])
def test_every_page_from_the_navigation_is_in_nynorsk_and_accessible(page, username):
    log_in(page, username)
    choose_nynorsk_by_keyboard(page)
    chrome = page.locator("body").inner_text()
    assert [word for word in NYNORSK_CHROME if word not in chrome] == []
    assert page.locator("nav.site-nav").get_attribute("aria-label") == "Hovudmeny"
    languages = {}
    page.on(
        "load",
        lambda loaded: languages.__setitem__(
            loaded.url, loaded.locator("html").get_attribute("lang")
        ),
    )
    found = crawl(page)
    pages = found.pop("_pages")
    assert len(pages) >= 4
    assert found == {}
    assert set(languages.values()) == {"nn"}
