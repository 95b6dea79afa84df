"""axe-core on every page reachable from the navigation and the footer, logged in as each role.

For each role the crawl opens every navigation link, a few links inside each section
(a requirement page, a budget chapter and post, the report where it exists) and reports
every WCAG 2.1 A/AA violation by page. Downloads, exports, the API and the admin are left
out: they are no HTML pages of the service.
"""

import re

import pytest

from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser

SKIP = re.compile(
    r"^/(api|admin|i18n|logg-ut|static|media)/|\.(pdf|csv|xlsx|json|yaml|zip)$|/eksport/"
)
LINKS_PER_SECTION = 4


def test_every_role_exists_as_a_group():
    from django.contrib.auth.models import Group

    from imdi_reporting.roles import Role

    assert set(Role.values) <= set(Group.objects.values_list("name", flat=True))


def internal_links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    paths = []
    for href in hrefs:
        if not href or not href.startswith("/") or SKIP.search(href.split("?")[0]):
            continue
        path = href.split("#")[0]
        if path not in paths:
            paths.append(path)
    return paths


def crawl(page) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    queue = internal_links(page, "nav.site-nav a")
    # The account pages linked from the header: password change and API keys.
    queue += internal_links(page, ".site-header .tools a")
    # One requirement page and the report, reached from the overview.
    queue += internal_links(page, "table.overview-table th a")[:1]
    queue += internal_links(page, ".overview-links a")
    # The footer's pages (the accessibility statement) are on every page.
    queue += internal_links(page, "footer.site-footer a")
    sections = list(queue)
    seen = set()
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(page.url_for(path))
        if (
            response is None
            or response.status >= 400
            or "text/html" not in (response.headers.get("content-type", ""))
        ):
            continue
        violations = axe_violations(page)
        if violations:
            found[path] = violations
        if path in sections:
            inside = [
                link
                for link in internal_links(page, "main a")
                if link.split("?")[0].startswith(path.split("?")[0]) and link not in seen
            ]
            queue.extend(inside[:LINKS_PER_SECTION])
    found["_pages"] = sorted(seen)
    return found


@pytest.mark.parametrize("username", ["aid", "ne", "direktor", "admin"])
def test_no_page_reachable_from_the_navigation_has_wcag_violations(page, username):
    log_in(page, username)
    found = crawl(page)
    pages = found.pop("_pages")
    print(username, len(pages), "pages:", " ".join(pages))  # noqa: T201
    assert len(pages) >= 4
    assert found == {}
