import io

import pikepdf
import pytest

from imdi_reporting.pdf import StaticURLFetcher, render_pdf

DOCUMENT = """<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8">
<title>Halvårsrapport 1.1.-30.6.2006</title>
<meta name="author" content="Integrerings- og mangfoldsdirektoratet">
<meta name="description" content="Virksomhetsrapport til departementet">
<link rel="stylesheet" href="/static/css/app.css">
</head><body><h1>Del I</h1><p>Sum bevilgning 2 719 675 000</p></body></html>"""


@pytest.fixture(scope="module")
def pdf():
    return pikepdf.open(io.BytesIO(render_pdf(html=DOCUMENT)))


def test_it_declares_pdf_a_2a_in_the_xmp(pdf):
    metadata = pdf.open_metadata()
    assert metadata.get("pdfaid:part") == "2"
    assert metadata.get("pdfaid:conformance") == "A"


def test_it_has_an_output_intent_and_a_structure_tree(pdf):
    assert len(pdf.Root.OutputIntents) >= 1
    assert "/StructTreeRoot" in pdf.Root
    assert pdf.Root.MarkInfo.Marked


def test_it_carries_language_title_author_and_subject(pdf):
    assert str(pdf.Root.Lang) == "nb"
    assert str(pdf.docinfo["/Title"]) == "Halvårsrapport 1.1.-30.6.2006"
    assert str(pdf.docinfo["/Author"]) == "Integrerings- og mangfoldsdirektoratet"
    assert str(pdf.docinfo["/Subject"]) == "Virksomhetsrapport til departementet"


def test_it_embeds_every_font(pdf):
    fonts = [font for page in pdf.pages for font in page.Resources.get("/Font", {}).values()]
    assert fonts
    for font in fonts:
        descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_it_serves_static_files_and_refuses_the_network():
    fetcher = StaticURLFetcher()
    assert fetcher.fetch("http://report.invalid/static/css/app.css").content_type == "text/css"
    with pytest.raises(PermissionError):
        fetcher.fetch("https://cdn.example.org/x.css")


def test_it_serves_a_collected_file_by_its_hashed_name(settings, tmp_path):
    """With DEBUG off the report links css/report.<hash>.css, which only collectstatic's
    copy has; without it the PDF would lose its stylesheet."""
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "report.0123456789ab.css").write_text("h1 { color: black }")
    settings.STATIC_ROOT = tmp_path
    response = StaticURLFetcher().fetch("http://report.invalid/static/css/report.0123456789ab.css")
    assert response.content_type == "text/css"


def test_the_text_is_real_and_searchable():
    from tests.conftest import pdf_text

    text = pdf_text(render_pdf(html=DOCUMENT))
    assert "Sum bevilgning 2 719 675 000" in text
    assert "Del I" in text
