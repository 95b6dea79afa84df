"""The overview in Chromium: a ministry reader browses and filters it, by mouse and by
keyboard alone, and axe-core finds no WCAG 2.1 A/AA violation on it."""

import pytest

from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser


def test_only_directorate_roles_may_see_draft_periods():
    from django.contrib.auth.models import Group

    holders = set(
        Group.objects.filter(permissions__codename="view_draft_period").values_list(
            "name", flat=True
        )
    )
    assert "ministry_reader" not in holders
    assert {"unit_editor", "approver"} <= holders


def requirement_rows(page):
    return page.locator("table.overview-table tbody tr")


def test_a_ministry_reader_browses_and_filters_the_overview(page):
    log_in(page, "aid")
    assert page.locator("h1").inner_text() == "Oversikt"
    assert "Halvår 2006" in page.locator("#overview-heading").inner_text()
    assert "Utkast" not in page.locator("#overview-heading").inner_text()
    everything = requirement_rows(page).count()
    assert everything > 10
    assert page.get_by_text("440 av 650 tolker").count() == 1

    page.select_option("#id_main_goal", "HM1")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/?*main_goal=HM1*")
    captions = page.locator("table.overview-table caption").all_inner_texts()
    assert len(captions) == 1 and captions[0].startswith("HM1")
    assert 0 < requirement_rows(page).count() < everything

    page.select_option("#id_status", "deviation")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    statuses = page.locator("table.overview-table tbody tr td:nth-child(3) .badge")
    assert statuses.count() >= 1
    assert set(statuses.all_inner_texts()) == {"Avvik"}
    assert axe_violations(page) == []


def test_the_overview_is_usable_by_keyboard_alone(page):
    log_in(page, "ne")
    # The editor sees the open annual period, marked as a draft.
    assert "Utkast" in page.locator("#overview-heading").inner_text()
    page.focus("#id_period")
    # Tab order runs through the filters in reading order, each with a visible label.
    order = []
    for _ in range(5):
        order.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        page.keyboard.press("Tab")
    assert order == ["id_period", "id_main_goal", "id_unit", "id_status", "BUTTON"]
    page.focus("#id_unit")
    # Choose a unit with the arrow keys, tab past the status to the button, press Enter.
    while page.eval_on_selector("#id_unit", "el => el.value") != "VEST":
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**unit=VEST*")
    units = page.locator("table.overview-table tbody tr td:nth-child(2)").all_inner_texts()
    assert units and set(units) == {"VEST"}
    # The focused element is always visibly outlined.
    page.focus("form.filters button[type=submit]")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


@pytest.mark.parametrize("username", ["aid", "ne", "direktor"])
def test_the_overview_has_no_wcag_violations_for_each_period(page, username):
    log_in(page, username)
    slugs = page.eval_on_selector_all("#id_period option", "els => els.map(e => e.value)")
    for slug in slugs:
        page.goto(page.url_for(f"/?period={slug}"))
        assert axe_violations(page) == [], slug
