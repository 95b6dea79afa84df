"""The HTML report is read on a laptop and on a phone: it never widens the page beyond the
window (wide tables scroll in their own box), and its contents lead to every part."""

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PAGES = ["/rapporter/IMDi-2006-H1/", "/rapporter/IMDi-2006-H1/regnskap/"]


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("path", PAGES)
def test_it_does_not_overflow_the_window(page, path, width):
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "direktor")
    page.goto(page.url_for(path))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_the_contents_lead_to_the_attachments_and_the_history_comes_last(page):
    log_in(page, "direktor")
    page.goto(page.url_for("/rapporter/IMDi-2006-H1/"))
    page.click("nav#innhold a[href='#vedlegg-3']")
    assert page.evaluate("location.hash") == "#vedlegg-3"
    order = page.evaluate(
        "[...document.querySelectorAll('#innhold, #vedlegg-3, #versjoner')].map(e => e.id)"
    )
    assert order[:2] == ["innhold", "vedlegg-3"]
