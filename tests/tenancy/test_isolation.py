"""No agency's data reaches another agency's users or another ministry's readers: every
page reachable from the navigation, every API list and every report (HTML and PDF text),
for the users of each agency and each ministry."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.conftest import pdf_text

# Side of each user, and the other side whose markers must never reach them.
USERS = {
    "ne": "IMDi",
    "direktor": "IMDi",
    "aid": "IMDi",
    "ftd": "FTD",
    "ftd-stab": "FTD",
    "bld": "FTD",
}
OTHER = {"IMDi": "FTD", "FTD": "IMDi"}
SKIP = re.compile(r"^/(admin|i18n|logg-ut|static|media)/|/eksport/|\.(csv|xlsx|json|yaml)$")
MAX_PAGES = 120


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/"):
            self.found.append(href.split("#")[0])


def leaks(text: str, markers: list[str]) -> list[str]:
    return [m for m in markers if re.search(rf"(?<![\w-]){re.escape(m)}(?![\w-])", text)]


def client_of(django_user_model, username: str) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.get(username=username))
    return client


def crawl(client: Client) -> dict[str, str]:
    """Every HTML page reachable by links from the start page (PDFs as their text)."""
    pages: dict[str, str] = {}
    queue, seen = ["/"], set()
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen or SKIP.search(path.split("?")[0]) or path.startswith("/api/"):
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200:
            continue
        if response["Content-Type"].startswith("application/pdf"):
            pages[path] = pdf_text(
                b"".join(response.streaming_content) if response.streaming else response.content
            )
            continue
        if not response["Content-Type"].startswith("text/html"):
            continue
        pages[path] = response.content.decode()
        parser = Links()
        parser.feed(pages[path])
        queue += [href for href in parser.found if href not in seen]
    return pages


@pytest.mark.parametrize("username", USERS)
def test_no_page_shows_the_other_agencys_data(two_agencies, django_user_model, username):
    markers = two_agencies[OTHER[USERS[username]]]
    pages = crawl(client_of(django_user_model, username))
    assert len(pages) > 5
    found = {path: leaks(text, markers) for path, text in pages.items()}
    assert {path: words for path, words in found.items() if words} == {}


@pytest.mark.parametrize("username", USERS)
def test_no_api_list_shows_the_other_agencys_data(two_agencies, django_user_model, username):
    client = client_of(django_user_model, username)
    markers = two_agencies[OTHER[USERS[username]]]
    lists = [url for url in client.get("/api/").json().values() if isinstance(url, str)]
    assert len(lists) >= 5
    found = {}
    for url in lists:
        path = re.sub(r"^https?://[^/]+", "", url)
        for query in ("", "?year=2006", "?period=2006-H1", "?page_size=500"):
            response = client.get(path + query)
            assert response.status_code in (200, 400), (path + query, response.status_code)
            words = leaks(response.content.decode(), markers)
            if words:
                found[path + query] = words
    assert found == {}


@pytest.mark.parametrize(
    ("username", "slug"), [("ftd", "FTD-2006-H1"), ("bld", "FTD-2006-H1"), ("aid", "IMDi-2006-H1")]
)
def test_no_report_shows_the_other_agencys_data(two_agencies, django_user_model, username, slug):
    client = client_of(django_user_model, username)
    markers = two_agencies[OTHER[USERS[username]]]
    own = two_agencies[USERS[username]]
    for part in ("", "skjema/", "regnskap/"):
        html = client.get(f"/rapporter/{slug}/{part}")
        assert html.status_code == 200
        assert leaks(html.content.decode(), markers) == []
    pdf = client.get(f"/rapporter/{slug}.pdf")
    assert pdf.status_code == 200
    text = pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    assert own[0] in " ".join(text.split())  # the agency's own name is on its report
    assert leaks(text, markers) == []


def test_each_side_cannot_open_the_other_sides_period(two_agencies, django_user_model):
    for username, slug in (
        ("ftd", "IMDi-2006-H1"),
        ("bld", "IMDi-2006-H1"),
        ("aid", "FTD-2006-H1"),
    ):
        client = client_of(django_user_model, username)
        assert client.get(f"/rapporter/{slug}/").status_code == 404
        assert client.get(f"/budsjett/{slug}/").status_code == 404
