"""The control list finds exactly the inconsistencies of the 2006 report, and no false alarm."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from budget.models import SubPostLine
from budget.selectors import year_controls
from goals.locking import allow_locked_period_writes

# (key, reported, computed) for each inconsistency in the printed report.
EXPECTED = [
    # 485 x 130 000 = 63 050 000; the amount matches 484.5 persons.
    ("6010:Tilskudd År-1 2006 (voksne):amount", 62985000, 63050000),
    # 2 282 x 130 000 - 5 500 000 - 2 500 000 - 170 998 + 7 175 000 (footnote *) is
    # 295 664 002; the printed 296 704 002 matches 2 290 persons.
    ("6010:Tilskudd År-1 2006 (voksne):budget", 296704002, 295664002),
    # 690 x 120 000 = 82 800 000; the amount matches 689.5 persons.
    ("6010:Tilskudd År-1 2005 (voksne):amount", 82740000, 82800000),
    # 485 + 328 + 690 + 466 = 1 969.
    ("6010:sum:subpost_persons", 1968, 1969),
    # 2 003 432 000 - 1 014 624 875; the printed rest leaves out the 2nd term payment.
    ("6020:sum:subpost_rest", 1462837375, 988807125),
    # 266 + 30 + 7 + 1 + 1 = 305.
    ("6040:sum:subpost_persons", 304, 305),
    # 2 182 - 485 - 328 = 1 369.
    ("statistics:year1_current:Bosatt, ikke utbetalt:Antall personer", 1370, 1369),
    # 4 879 - 1 937 - 1 340 - 690 - 466 = 446.
    ("statistics:year1_previous:Bosatt, ikke utbetalt:Antall personer", 447, 446),
]


@pytest.mark.django_db
def test_the_2006_control_list_is_exactly_the_reports_inconsistencies(budget_2006):
    found = [(c.key, int(c.reported), int(c.computed)) for c in year_controls(year=2006)]
    assert found == EXPECTED


@pytest.mark.django_db
def test_each_control_states_the_difference(budget_2006):
    controls = year_controls(year=2006)
    assert [int(c.difference) for c in controls] == [
        -65000,
        1040000,
        -60000,
        -1,
        474030250,
        -1,
        1,
        1,
    ]
    assert controls[4].where.startswith("IMDi-2006-H1: ")


@pytest.mark.django_db
def test_a_corrected_line_leaves_the_list(budget_2006):
    with allow_locked_period_writes():  # 2006-H1 is submitted: the change is fixture data
        SubPostLine.objects.filter(label="Skoletilskudd 2001").update(persons=0, amount=Decimal(0))
    keys = [c.key for c in year_controls(year=2006)]
    # 304 persons now add up; the amount sum of 6040 no longer does.
    assert "6040:sum:subpost_persons" not in keys
    assert "6040:sum:subpost_amount" in keys


@pytest.mark.django_db
def test_a_changed_accounts_entry_is_caught_in_every_figure_built_on_it(budget_2006):
    from budget.models import AccountsEntry

    with allow_locked_period_writes():  # 2006-H1 is submitted: the change is fixture data
        AccountsEntry.objects.filter(post__chapter__number="0651", post__number="72").update(
            amount=Decimal(800001)
        )
    keys = [(c.post, c.key) for c in year_controls(year=2006) if c.post == "0651.72"]
    assert keys == [("0651.72", "accounts_total"), ("0651.72", "remaining")]


@pytest.mark.django_db
def test_the_command_prints_json_with_where_reported_computed_and_difference(budget_2006, capsys):
    call_command("budget_controls", "--year", "2006", "--json")
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 8
    assert set(data[0]) == {"where", "reported", "computed", "difference"}
    assert data[4]["reported"] - data[4]["computed"] == data[4]["difference"] == 474030250


@pytest.mark.django_db
def test_the_command_prints_a_readable_list(budget_2006, capsys):
    call_command("budget_controls", "--year", "2006")
    out = capsys.readouterr().out
    assert "1 462 837 375" in out
    assert out.strip().endswith("8 difference(s)")


@pytest.mark.django_db
def test_a_year_without_data_has_an_empty_list(organisation, capsys):
    call_command("budget_controls", "--year", "2005", "--json")
    assert json.loads(capsys.readouterr().out) == []
