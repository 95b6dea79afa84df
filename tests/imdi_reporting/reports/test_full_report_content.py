"""The full 2006-H1 PDF holds the reference report's content as searchable text."""

import re

from tests.imdi_reporting.reports.conftest import squash


def test_it_holds_every_requirement_code_and_text(rendered_2006):
    text = rendered_2006["text"]
    assert len(rendered_2006["requirements"]) == 16
    for code, requirement in rendered_2006["requirements"]:
        assert code in text
        assert squash(requirement) in text, code


def test_it_holds_every_row_of_the_reporting_form(rendered_2006):
    text = rendered_2006["text"]
    activities = [a for a in rendered_2006["activities"] if a]
    assert len(rendered_2006["activities"]) == 86
    for activity in activities:
        assert squash(activity) in text, activity
    assert "86 rader" in text


def test_the_front_page_letter_and_parts_come_in_the_reference_order(rendered_2006):
    text = rendered_2006["text"]
    markers = [
        "Like muligheter og like levekår",
        "Halvårsrapport 1.1.-30.6.2006",
        "Leserveiledning:",
        "200503237-/LOP",
        "HALVÅRSRAPPORT 1.1-30.6.2006 FOR IMDI",
        "Tor Arne Arnesen",
        "Del I Satsingsområde for 2006",
        "Del II Resultatkrav for 2006",
        "Hovedmål 1: Effektiv og målrettet introduksjon",
        "Del III Annen rapportering",
        "Del IV Ressursmessige prioriteringer",
        "Del V Rapporteringsskjema",
        "Del VI Regnskapsrapport",
        "Andre utgifts- og inntektsposter",
        "Vedlegg 1",
        "Vedlegg 2",
        "Vedlegg 3",
        "Vedlegg 4",
    ]
    # Each marker must come after the one before it. Part numbers are set in capitals by
    # the stylesheet, so compare without case.
    text = text.lower()
    position = 0
    for marker in markers:
        found = text.find(squash(marker).lower(), position)
        assert found >= 0, marker
        position = found + len(marker)


def test_it_holds_every_figure_of_part_vi_and_the_attachments(rendered_2006):
    text = rendered_2006["text"]
    figures = [
        # Part VI tables
        "79 183 000",
        "22 158 053",
        "\u2212260 028",
        "21 898 025",
        "11 157 736",
        "33 055 761",
        "46 127 239",
        "2 712 500 000",
        "7 175 000",
        "2 719 675 000",
        "1 302 347 676",
        "1 417 327 324",
        "10 000 000",
        "8 980 000",
        "1 020 000",
        "46 100 000",
        "\u22121 000 000",
        "45 121 000",
        "34 485 367",
        "10 635 633",
        "3 100 000",
        "296 632",
        "2 803 368",
        "24 400 000",
        "836 000",
        "26 236 000",
        "12 723 141",
        "13 512 859",
        "1 700 000",
        "800 000",
        "900 000",
        "4 877 000",
        "232 000",
        "5 109 000",
        "1 416 597",
        "538 913",
        "1 955 510",
        "3 153 490",
        # Attachment 1
        "62 985 000",
        "296 704 002",
        "233 719 002",
        "587 998 000",
        "346 234 000",
        "1 014 624 875",
        "2 003 432 000",
        "1 462 837 375",
        "40 397 251",
        "4 602 749",
        "2 631 550",
        "75 945 000",
        "73 313 450",
        "474 030 250",
        # Attachment 2
        "2 182",
        "1 370",
        "4 879",
        "4 398",
        "8 245",
        # Attachments 3 and 4
        "44 971 000",
        "16 762 017",
        "25 909 200",
        "326 800",
        "7 509 201",
        "86 830",
    ]
    missing = [f for f in figures if f not in text]
    assert not missing


def test_it_holds_the_settlement_figures_computed_from_the_cases(rendered_2006):
    text = rendered_2006["text"]
    for label, value in [
        ("Bosatt i perioden", "1 813"),
        ("Prognose pr. 30.06.2006", "1 800"),
        ("Prognose for hele året", "4 185"),
        ("Bosettingsklare i mottak", "1 190"),
        ("Overføringsflyktninger bosatt", "576"),
    ]:
        assert re.search(re.escape(label) + r"[^0-9]{0,40}" + re.escape(value), text), label
    assert "8,6" in text and "3,2" in text and "5,9" in text and "4,7" in text


def test_rendering_twice_gives_the_same_document(rendered_2006):
    # Chart element ids come from a process-wide counter; everything else must be equal.
    def without_ids(html: str) -> str:
        return re.sub(r"chart-\d+-(title|desc)", "chart-id", html)

    assert without_ids(rendered_2006["html"]) == without_ids(rendered_2006["html_again"])


def test_a_submitted_period_has_no_draft_watermark(rendered_2006):
    assert "UTKAST" not in rendered_2006["text"]
