"""The reporting workflow of the open annual period 2006 in Chromium, by keyboard alone.

One journey in steps that build on each other (each test's writes are rolled back, so the
steps share one test): the unit editor writes two updates and marks them ready; the
approver returns one with a reason, approves the other and submits the period, which
locks it; the editor then cannot edit and is told why; the ministry reader, who now sees
the period, leaves feedback on a requirement and downloads the report as PDF.
"""

import pytest
from django.urls import NoReverseMatch, reverse

from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser

REASON = "Beskriv avviket mot ventetidsmålet."
COMMENT = "Takk. Hvordan vil ventetiden utvikle seg i 2. halvår?"


def test_only_approvers_may_submit_a_period():
    from django.contrib.auth.models import Group

    holders = set(
        Group.objects.filter(permissions__codename="submit_period").values_list("name", flat=True)
    )
    assert holders == {"approver", "administrator"}


def press(page, selector: str) -> None:
    """Activate a control the way a keyboard user does: focus it and press Enter."""
    page.focus(selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose(page, selector: str, value: str) -> None:
    """Pick an option of a closed select with the arrow keys."""
    page.focus(selector)
    for key in ["ArrowDown"] * 6 + ["ArrowUp"] * 12:
        if page.eval_on_selector(selector, "el => el.value") == value:
            return
        page.keyboard.press(key)
    raise AssertionError(f"{value} is not an option of {selector}")


def my_activity_links(page) -> list[str]:
    page.goto(page.url_for("/resultatkrav/mine/"))
    return page.eval_on_selector_all(
        "main a[href*='/aktivitet/']", "els => els.map(e => e.getAttribute('href'))"
    )


def a_unit_editor_writes_updates_and_marks_them_ready(page):
    from goals.models import StatusUpdate

    log_in(page, "ne")
    links = my_activity_links(page)
    assert len(links) >= 2
    for href, status in zip(links[:2], ["deviation", "on_track"], strict=True):
        page.goto(page.url_for(href))
        assert axe_violations(page) == []
        page.focus("#id_attainment")
        page.keyboard.press("Control+A")
        page.keyboard.type(f"Skrevet i nettleseren ({status}).")
        choose(page, "#id_status", status)
        press(page, "main form button[type=submit]:not(.secondary)")
        press(page, "main form button[name=then]")
        assert page.get_by_text("Klar til godkjenning").count() >= 1
    ready = StatusUpdate.objects.filter(period__kind="Y", state="ready")
    assert ready.count() == 2


def the_approver_returns_one_approves_one_and_submits(page):
    from goals.models import ReportingPeriod, StatusUpdate

    log_in(page, "direktor")
    page.goto(page.url_for("/resultatkrav/2006/godkjenning/"))
    assert axe_violations(page) == []
    cards = page.locator("main article.card")
    assert cards.count() == 2
    first = cards.nth(0).locator("textarea").get_attribute("id")
    page.focus(f"#{first}")
    page.keyboard.type(REASON)
    press(page, f"#{first} ~ button")
    assert page.locator("main article.card").count() == 1
    press(page, "main article.card button[value=approve]")
    assert page.locator("main article.card").count() == 0
    # The returned update is not approved: the check lists it and asks for a reason.
    press(page, "a[href$='/send-inn/']")
    assert "ikke godkjent" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.focus("#id_reason")
    page.keyboard.type("Resten kommer i årsrapporten.")
    press(page, "main form button[type=submit]")
    assert "Sendt inn" in page.locator("main").inner_text()
    period = ReportingPeriod.objects.get(kind="Y")
    assert period.state == "submitted" and period.submitted_by.username == "direktor"
    returned = StatusUpdate.objects.get(period=period, state="returned")
    assert returned.return_reason == REASON
    assert StatusUpdate.objects.filter(period=period, state="approved").count() == 1


def the_editor_then_cannot_edit_and_sees_why(page):
    from goals.models import StatusUpdate

    returned = StatusUpdate.objects.select_related("activity").get(
        period__kind="Y", state="returned"
    )
    log_in(page, "ne")
    page.goto(page.url_for(f"/resultatkrav/2006/aktivitet/{returned.activity.position}/"))
    text = page.locator("main").inner_text()
    assert "er låst siden" in text and "Direktør IMDi" in text
    assert REASON in text
    assert page.locator("#id_attainment").count() == 0
    assert axe_violations(page) == []


def the_ministry_reader_leaves_feedback_on_a_requirement(page):
    from goals.models import Feedback

    log_in(page, "aid")
    # The submitted annual period is now the newest the ministry sees.
    assert "år 2006" in page.locator("#overview-heading").inner_text().lower()
    press(page, "table.overview-table th a")
    assert page.url.startswith(page.url_for("/resultatkrav/IMDi-2006/"))
    page.focus("#id_text")
    page.keyboard.type(COMMENT)
    press(page, "form[action$='/tilbakemelding/'] button")
    # Once in the feedback thread (the change history further down lists it too).
    assert page.locator("#feedback ~ article.card").get_by_text(COMMENT).count() == 1
    assert Feedback.objects.filter(text=COMMENT, author__username="aid").count() == 1
    assert axe_violations(page) == []


def the_ministry_reader_downloads_the_pdf(page):
    try:
        url = reverse("reports:full_pdf", args=["IMDi-2006"])
    except NoReverseMatch:
        pytest.skip("the report's PDF is not installed")
    log_in(page, "aid")
    link = page.locator(".overview-links a[href$='.pdf']")
    assert link.get_attribute("href") == url
    response = page.request.get(page.url_for(url))
    assert response.ok
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.body().startswith(b"%PDF")


def log_out(page) -> None:
    page.focus("form[action='/logg-ut/'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_reporting_workflow_from_update_to_ministry_feedback(page, orm):
    for step in (
        a_unit_editor_writes_updates_and_marks_them_ready,
        the_approver_returns_one_approves_one_and_submits,
        the_editor_then_cannot_edit_and_sees_why,
        the_ministry_reader_leaves_feedback_on_a_requirement,
        the_ministry_reader_downloads_the_pdf,
    ):
        step(page)
        log_out(page)
