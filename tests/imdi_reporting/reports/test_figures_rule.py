"""One rule for the report's figures: sums, remainders and totals are computed, and where
the source stated another figure the computed one is marked and the stated one shown;
statistical tables are summed only where their rows do not overlap."""

import re

from goals.models import StatisticalTable
from imdi_reporting.reports.selectors import statistical_table
from imdi_reporting.templatetags.reports import STATED_MARK, booked, figure


def _table_html(html: str, caption: str) -> str:
    start = html.index(f"<caption>{caption}</caption>")
    return html[start : html.index("</table>", start)]


def test_it_marks_a_computed_sum_that_differs_and_shows_the_stated_one(rendered_2006):
    text = rendered_2006["text"]
    # Sum 6010 persons: 1 969 computed from the lines, 1 968 as the source printed it.
    assert f"Sum 6010 1 969{STATED_MARK} (oppgitt: 1 968)" in text
    assert f"Sum 6040 305{STATED_MARK} (oppgitt: 304)" in text
    # Attachment 2 follows the same rule with the same mark.
    assert f"Bosatt, ikke utbetalt 1 369{STATED_MARK} (oppgitt: 1 370)" in text


def test_it_marks_a_booked_line_amount_that_is_not_persons_times_rate(rendered_2006):
    text = rendered_2006["text"]
    assert f"62 985 000{STATED_MARK} (antall x sats: 63 050 000)" in text


def test_it_states_the_rule_in_the_reading_guide(rendered_2006):
    html = rendered_2006["html"]
    guide = html[html.index('id="leserveiledning"') : html.index('id="oversendelsesbrev"')]
    assert "Slik er tallene gitt" in guide
    assert f"merket {STATED_MARK}" in guide


def test_it_prints_no_sum_under_a_table_of_overlapping_categories(rendered_2006):
    html = rendered_2006["html"]
    tab1 = _table_html(html, "Tab. 1")
    assert "Sum" not in tab1
    assert "13 420" not in rendered_2006["text"]
    assert "Radene overlapper og er derfor ikke summert." in html


def test_it_sums_a_table_whose_rows_part_the_whole(rendered_2006):
    html = rendered_2006["html"]
    by_sex = _table_html(html, "Nasjonalt tolkeregister pr. 30.6.2006 etter kjønn")
    assert re.search(r"<th scope=\"row\">Sum</th>\s*<td class=\"num\">440</td>", by_sex)
    # One column: no total column repeating it.
    assert by_sex.count("<td") == 3


def test_it_reads_the_declaration_from_the_table(db, organisation):
    from goals.loaders import load_goals_demo
    from imdi_reporting.services import FIXTURES_DIR

    load_goals_demo(directory=FIXTURES_DIR / "goals")
    tab1 = statistical_table(StatisticalTable.objects.get(code="tab1"))
    register = statistical_table(StatisticalTable.objects.get(code="tolkeregister-kjonn"))
    assert (tab1.has_sum_row, register.has_sum_row) == (False, True)
    assert register.grand_total == 440


def test_it_prints_an_agreeing_figure_plainly():
    assert figure(1968, 1968) == "1 968"
    assert figure(1968, None) == "1 968"
    assert booked(62985000, None) == "62 985 000"
