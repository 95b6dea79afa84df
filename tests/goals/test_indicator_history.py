from decimal import Decimal

from django.urls import reverse

from goals.models import Indicator
from goals.selectors import indicator_history_chart
from imdi_reporting.services import load_demo


def test_it_draws_the_measured_values_against_the_target(db):
    load_demo()
    indicator = Indicator.objects.prefetch_related("values__period__budget_year").get(
        code="tolkeregister"
    )
    chart = indicator_history_chart(indicator=indicator)
    assert chart.categories == ["2006-H1"]
    assert [s.values for s in chart.series] == [[Decimal(440)], [Decimal(650)]]
    assert "650" in chart.description
    assert "<svg" in chart.svg and "<title" in chart.svg


def test_a_baseline_comes_first(db):
    load_demo()
    indicator = Indicator.objects.prefetch_related("values__period__budget_year").get(
        code="statsautoriserte-tolker"
    )
    chart = indicator_history_chart(indicator=indicator)
    assert chart.categories[0] == "Utgangspunkt"
    assert chart.series[0].values == [Decimal(101), Decimal(111)]


def test_an_indicator_without_values_has_no_chart(db):
    load_demo()
    indicator = Indicator.objects.prefetch_related("values").get(code="nynorsk-andel")
    assert indicator_history_chart(indicator=indicator) is None


def test_the_requirement_page_shows_the_history_chart(client_for):
    load_demo()
    html = client_for("aid").get(reverse("goals:requirement-detail", args=["2006-H1", "R2-7"])).text
    assert 'class="indicator-chart"' in html
    assert "Tolker oppført" in html
