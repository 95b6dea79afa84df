"""manage.py export_report writes the report as HTML or PDF."""

import pytest
from django.core.management import CommandError, call_command


def test_it_writes_html(organisation, tmp_path):
    target = tmp_path / "report.html"
    call_command(
        "export_report",
        "2006-H1",
        "--part",
        "accounts",
        "--format",
        "html",
        "--output",
        str(target),
    )
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="nb">' in html


def test_it_writes_pdf(organisation, tmp_path):
    target = tmp_path / "form.pdf"
    call_command(
        "export_report", "2006", "--part", "form", "--format", "pdf", "--output", str(target)
    )
    assert target.read_bytes().startswith(b"%PDF-")


def test_an_unknown_period_is_an_error(organisation, tmp_path):
    with pytest.raises(CommandError):
        call_command("export_report", "1999-H1", "--output", str(tmp_path / "x.pdf"))
