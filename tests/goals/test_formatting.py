from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.template import Context, Template

from goals.formatting import format_date, format_decimal, format_int, format_percent


def test_it_groups_thousands_with_spaces():
    assert format_int(Decimal("1302347676")) == "1 302 347 676"
    assert format_int(Decimal("999")) == "999"
    assert format_int(Decimal("1000")) == "1 000"
    assert format_int(0) == "0"


def test_it_formats_negative_amounts():
    assert format_int(Decimal("-260028")) == "\u2212260 028"
    assert format_int(Decimal("-24696002")) == "\u221224 696 002"


def test_it_rounds_half_up_to_whole_kroner():
    assert format_int(Decimal("2.5")) == "3"
    assert format_int(Decimal("-2.5")) == "\u22123"


def test_it_uses_a_decimal_comma():
    assert format_decimal(Decimal("8.64"), 1) == "8,6"
    assert format_decimal(Decimal("1234.5"), 2) == "1 234,50"


def test_it_formats_shares_as_percent():
    assert format_percent(Decimal("0.485")) == "48,5\u00a0%"
    assert format_percent(Decimal("0.38273")) == "38,3\u00a0%"
    assert format_percent(Decimal(1), 0) == "100\u00a0%"


def test_it_formats_dates_day_month_year():
    assert format_date(date(2006, 6, 30)) == "30.06.2006"
    moment = datetime(2006, 8, 9, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert format_date(moment) == "09.08.2006 12:00"


def test_it_leaves_missing_values_empty():
    assert format_int(None) == ""
    assert format_percent(None) == ""
    assert format_date(None) == ""


def test_the_filters_are_available_in_every_template():
    template = Template(
        "{{ amount|nb_int }}|{{ share|nb_percent }}|{{ day|nb_date }}|{{ months|nb_decimal }}"
    )
    rendered = template.render(
        Context(
            {
                "amount": Decimal("2719675000"),
                "share": Decimal("0.485"),
                "day": date(2006, 6, 30),
                "months": Decimal("8.6"),
            }
        )
    )
    assert rendered == "2 719 675 000|48,5\u00a0%|30.06.2006|8,6"
