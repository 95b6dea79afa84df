"""Every report of the demo periods is laid out without a flaw: asserted from WeasyPrint's
own page boxes (nothing overflows its page, so no table is cut; no heading is left at the
foot of a page) and from the PDF's text (every figure of attachments 1-4 is there)."""

import re
import subprocess

import pytest
from django.db import transaction
from django.db.models import Q

from budget.models import DispositionPart, GrantStatistic, Post, ReportedFigure, SubPostLine
from budget.selectors import grant_statistics, post_dispositions, subpost_attachments
from goals.formatting import format_int
from goals.models import ReportingPeriod
from imdi_reporting.choices import ReportPart
from imdi_reporting.pdf import PDF_OPTIONS, render_document
from imdi_reporting.reports.services import render_report_html
from imdi_reporting.services import load_demo
from tests.conftest import require_tool
from tests.imdi_reporting.reports.conftest import squash

HEADINGS = {"h1", "h2", "h3", "h4", "h5"}
# Half a CSS pixel: rounding in the layout, not an overflow.
SLACK = 0.5


def _in_flow(box):
    """The boxes of a page in document order, without the page's margin boxes (running
    heads and page numbers) and without fixed or absolute boxes (the draft watermark, the
    screen-reader captions), which are not part of the flow."""
    for child in getattr(box, "children", []) or []:
        if type(child).__name__ == "MarginBox":
            continue
        if child.style["position"] in ("fixed", "absolute"):
            continue
        yield child
        yield from _in_flow(child)


def overflows(document) -> list[str]:
    found = []
    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box
        left, top = page_box.content_box_x(), page_box.content_box_y()
        right, bottom = left + page_box.width, top + page_box.height
        for box in _in_flow(page_box):
            if box.position_x is None or (not box.width and not box.height):
                continue
            box_right = box.position_x + box.margin_width() - box.margin_right
            box_bottom = box.position_y + box.margin_height() - box.margin_bottom
            if box_right > right + SLACK or box_bottom > bottom + SLACK:
                what = box.element_tag or type(box).__name__
                text = getattr(box, "text", "")[:40]
                found.append(f"page {number}: {what} {text!r} beyond the page's content area")
    return found


def orphaned_headings(document) -> list[str]:
    """Headings with nothing of the content they head after them on their page."""
    found = []
    for number, page in enumerate(document.pages, 1):
        boxes = list(_in_flow(page._page_box))
        for i, box in enumerate(boxes):
            if box.element_tag not in HEADINGS or type(box).__name__ == "LineBox":
                continue
            inside = set(map(id, _in_flow(box)))
            heading_bottom = box.position_y + box.margin_height() - box.margin_bottom
            follows = any(
                type(other).__name__ in ("LineBox", "TableRowBox")
                and id(other) not in inside
                and other.position_y >= heading_bottom - SLACK
                for other in boxes[i + 1 :]
            )
            if not follows:
                found.append(f"page {number}: heading {box.element_tag} alone at the foot")
    return found


@pytest.fixture(scope="module")
def laid_out(django_db_setup, django_db_blocker):
    """Every part of every demo period laid out once, with the figures attachments 1-4
    must show; the demo data is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        documents = {}
        for period in ReportingPeriod.objects.select_related("budget_year__agency"):
            for part in ReportPart.values:
                html = render_report_html(period=period, part=part)
                documents[(period.slug, part)] = render_document(html=html)
        h1 = ReportingPeriod.objects.get(kind="H1", budget_year__year=2006)
        result = {"documents": documents, "figures": attachment_figures(period=h1), "h1": h1.slug}
        transaction.set_rollback(True)
    return result


def attachment_figures(*, period) -> list[str]:
    """Every figure attachments 1-4 show that is stored, as the report formats it."""
    values = []
    for line in SubPostLine.objects.filter(period=period):
        values += [line.persons, line.rate, line.amount, line.budget_persons]
        values += [line.budget_rate, line.budget_amount]
    values += ReportedFigure.objects.filter(
        period=period, measure__startswith="lines_"
    ).values_list("value", flat=True)
    values += GrantStatistic.objects.filter(period=period).values_list("count", flat=True)
    for part in DispositionPart.objects.filter(period=period):
        values += [part.budget, part.disposed, part.booked]
    # And what the attachments compute: sums of sub-posts, totals of posts and columns.
    posts = Post.objects.filter(Q(subposts__lines__period=period) | Q(parts__period=period))
    post_ids = sorted(set(posts.values_list("pk", flat=True)))
    for attachment in subpost_attachments(period=period, post_ids=post_ids).values():
        for sf in attachment.subposts:
            values += [sf.persons, sf.amount, sf.budget, sf.budget_persons]
        values += (
            [attachment.amount, attachment.budget, attachment.rest] if attachment.subposts else []
        )
    for disposition in post_dispositions(period=period, post_ids=post_ids).values():
        if disposition.parts:
            values += [disposition.budget, disposition.disposed, disposition.undisposed]
            values += [disposition.booked] + [p.undisposed for p in disposition.parts]
    for table in grant_statistics(period=period):
        for _label, role, _values in table.rows:
            values += [table.computed(role, column) for column in table.columns]
    return sorted({format_int(v) for v in values if v is not None})


def test_it_lays_out_every_part_of_every_demo_period(laid_out):
    assert len(laid_out["documents"]) == 2 * len(ReportPart.values)


def test_it_overflows_no_page(laid_out):
    found = [
        f"{key}: {problem}"
        for key, document in laid_out["documents"].items()
        for problem in overflows(document)
    ]
    assert found == []


def test_it_leaves_no_heading_at_the_foot_of_a_page(laid_out):
    found = [
        f"{key}: {problem}"
        for key, document in laid_out["documents"].items()
        for problem in orphaned_headings(document)
    ]
    assert found == []


@pytest.mark.parametrize("part", [ReportPart.FULL, ReportPart.ACCOUNTS])
def test_it_prints_every_figure_of_the_attachments(laid_out, part):
    document = laid_out["documents"][(laid_out["h1"], part)]
    tool = require_tool("pdftotext")
    pdf = document.write_pdf(**PDF_OPTIONS)
    text = squash(
        subprocess.run([tool, "-raw", "-", "-"], input=pdf, capture_output=True, check=True)
        .stdout.decode("utf-8")
        .replace("\n", " ")
    )
    figures = laid_out["figures"]
    # The attachments' last column, the post's total, is the one that fell off the page.
    assert {"45 121 000", "44 971 000", "34 485 367"} <= set(figures)
    # A figure not glued to other digits ("1 370" is not found in "21 370"); the cells of a
    # row are parted by single spaces in the text, so a figure's neighbours cannot be told.
    missing = [f for f in figures if not re.search(rf"(?<!\d){re.escape(f)}(?!\d)", text)]
    assert missing == []
