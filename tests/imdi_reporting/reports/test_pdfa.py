"""The full report passes the PDF/A-2a property checks."""

import io

import pikepdf
import pytest


@pytest.fixture(scope="module")
def pdf(rendered_2006):
    return pikepdf.open(io.BytesIO(rendered_2006["pdf"]))


def test_it_declares_pdf_a_2a(pdf):
    metadata = pdf.open_metadata()
    assert metadata.get("pdfaid:part") == "2"
    assert metadata.get("pdfaid:conformance") == "A"


def test_it_has_an_output_intent_a_structure_tree_and_nb_as_language(pdf):
    assert len(pdf.Root.OutputIntents) >= 1
    assert "/StructTreeRoot" in pdf.Root
    assert str(pdf.Root.Lang) == "nb"


def test_it_carries_title_author_and_subject(pdf):
    assert str(pdf.docinfo["/Title"]) == "Halvårsrapport 1.1.-30.6.2006"
    assert str(pdf.docinfo["/Author"]) == "Integrerings- og mangfoldsdirektoratet"
    assert "Integrerings- og mangfoldsdirektoratet" in str(pdf.docinfo["/Subject"])


def test_every_font_is_embedded(pdf):
    fonts = {
        font.objgen: font for page in pdf.pages for font in page.Resources.get("/Font", {}).values()
    }
    assert fonts
    for font in fonts.values():
        descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_it_has_bookmarks_per_part_and_requirement(pdf):
    with pdf.open_outline() as outline:
        titles = []

        def walk(items):
            for item in items:
                titles.append(item.title)
                walk(item.children)

        walk(outline.root)
    for part in ("Del I", "Del II", "Del III", "Del IV", "Del V", "Del VI"):
        assert any(t.startswith(part) for t in titles), part
    for code in ("R1-1", "R2-7", "R3-4"):
        assert code in titles


def test_the_reporting_form_is_on_landscape_pages(pdf, rendered_2006):
    sizes = {(round(float(p.MediaBox[2])), round(float(p.MediaBox[3]))) for p in pdf.pages}
    assert (595, 842) in sizes  # A4 portrait
    assert (842, 595) in sizes  # A4 landscape


def test_pages_are_numbered_side_x_av_y(pdf, rendered_2006):
    total = len(pdf.pages)
    assert f"Side 1 av {total}" in rendered_2006["text"]
    assert f"Side {total} av {total}" in rendered_2006["text"]
