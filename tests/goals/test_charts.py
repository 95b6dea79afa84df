import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from goals.charts import Series, bar_chart, line_chart, nice_ceiling, numbered_charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1813, (2000, 500)), (4.7, (5, 1)), (100, (100, 20)), (0, (1, 1)), (37, (40, 10))],
)
def test_nice_ceiling_rounds_the_axis_up(value, expected):
    assert nice_ceiling(value) == expected


def test_a_bar_chart_has_a_text_alternative_and_one_bar_per_value():
    chart = bar_chart(
        title="Settled per month",
        description="Settled January to June 2006",
        categories=["Jan", "Feb", "Mar"],
        series=[Series("Settled", [190, 245, None])],
    )
    root = parse(chart.svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Settled per month"
    assert root.find(f"{SVG}desc").get("id") == desc_id
    bars = root.findall(f".//{SVG}g[@class='chart-series-0']/{SVG}rect")
    assert len(bars) == 2
    assert float(bars[1].get("height")) > float(bars[0].get("height"))
    assert [rect.find(f"{SVG}title").text for rect in bars] == ["Jan: 190", "Feb: 245"]


def test_the_chart_returns_its_numbers_for_a_data_table():
    chart = line_chart(
        title="t",
        description="d",
        categories=["Jan", "Feb"],
        series=[Series("Settled", [190, 435]), Series("Forecast", [300, 600])],
    )
    assert chart.rows == [("Jan", [190, 300]), ("Feb", [435, 600])]
    root = parse(chart.svg)
    assert len(root.findall(f".//{SVG}polyline")) == 2
    assert len(root.findall(f".//{SVG}circle")) == 4


def test_values_are_formatted_the_norwegian_way():
    chart = bar_chart(
        title="t",
        description="d",
        categories=["Oslo"],
        series=[Series("Months", [Decimal("8.6")])],
        format_value=lambda v: f"{v:.1f}".replace(".", ","),
    )
    assert "Oslo: 8,6" in chart.svg


def test_text_is_escaped():
    chart = bar_chart(
        title="<script>", description="a & b", categories=["<x>"], series=[Series("s", [1])]
    )
    assert "<script>" not in chart.svg
    assert "&lt;x&gt;" in chart.svg
    parse(chart.svg)


def test_each_chart_gets_its_own_ids():
    first = bar_chart(title="a", description="b", categories=["x"], series=[Series("s", [1])])
    second = bar_chart(title="a", description="b", categories=["x"], series=[Series("s", [1])])
    ids = re.findall(r'id="([^"]+)"', first.svg + second.svg)
    assert len(ids) == len(set(ids)) == 4


def test_the_charts_of_a_document_are_numbered_from_one_whatever_was_drawn_before():
    def draw():
        return bar_chart(title="a", description="b", categories=["x"], series=[Series("s", [1])])

    draw()
    with numbered_charts("report"):
        first, second = draw(), draw()
    ids = re.findall(r'id="([^"]+)"', first.svg + second.svg)
    assert ids == [
        "report-chart-1-title",
        "report-chart-1-desc",
        "report-chart-2-title",
        "report-chart-2-desc",
    ]
    assert 'id="chart-' in draw().svg


def test_series_must_match_the_categories():
    with pytest.raises(ValueError, match="has 1 values, not 2"):
        bar_chart(title="t", description="d", categories=["a", "b"], series=[Series("s", [1])])


def test_the_chart_has_no_inline_style_or_script():
    chart = line_chart(title="t", description="d", categories=["a"], series=[Series("s", [1])])
    assert "style=" not in chart.svg
    assert "<script" not in chart.svg
