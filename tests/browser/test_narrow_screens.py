"""Every page reachable from the navigation fits a phone (390 px) and a laptop (1 366 px)
without horizontal page scroll: wide tables and charts scroll inside their own box."""

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_accessibility_crawl import internal_links

pytestmark = pytest.mark.browser

LINKS_PER_SECTION = 3
WIDER_THAN_THE_SCREEN = "document.scrollingElement.scrollWidth > window.innerWidth"


def pages_of(page) -> list[str]:
    """The navigation's and header's pages and a few links inside each section."""
    sections = internal_links(page, "nav.site-nav a") + internal_links(
        page, ".site-header .tools a"
    )
    paths = list(sections)
    for section in sections:
        page.goto(page.url_for(section))
        inside = [
            link
            for link in internal_links(page, "main a")
            if link.split("?")[0].startswith(section.split("?")[0]) and link not in paths
        ]
        paths += inside[:LINKS_PER_SECTION]
    return paths


@pytest.mark.parametrize("username", ["ne", "direktor", "aid"])
def test_no_page_scrolls_sideways_at_390_or_1366_pixels(page, username):
    log_in(page, username)
    paths = pages_of(page)
    assert len(paths) >= 5
    too_wide = {}
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            response = page.goto(page.url_for(path))
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue
            if page.evaluate(WIDER_THAN_THE_SCREEN):
                too_wide[f"{width} {path}"] = page.evaluate("document.scrollingElement.scrollWidth")
    assert too_wide == {}


def test_the_header_spans_the_page_at_390_pixels(page):
    log_in(page, "direktor")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(page.url_for("/"))
    header = page.evaluate(
        "(() => { const r = document.querySelector('.site-header').getBoundingClientRect();"
        " return [r.left, r.right, document.scrollingElement.scrollWidth]; })()"
    )
    assert header[0] == 0 and header[1] == header[2]
