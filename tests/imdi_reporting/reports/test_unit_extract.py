"""A unit's extract of the form holds only the rows the unit is responsible for."""

from django.urls import reverse

from goals.loaders import load_goals_demo
from imdi_reporting.services import FIXTURES_DIR


def test_the_extract_holds_only_the_units_rows(client_for):
    load_goals_demo(directory=FIXTURES_DIR / "goals")
    client = client_for("ne")
    url = reverse("reports:form", args=["2006-H1"])
    whole = client.get(url).content.decode()
    extract = client.get(url + "?enhet=VEST").content.decode()
    assert "Nasjonalt bosettingsutvalg" in whole and "Nasjonalt bosettingsutvalg" in extract
    assert "Nasjonalt introduksjonsutvalg" in whole
    assert "Nasjonalt introduksjonsutvalg" not in extract
    assert "R1-1" in extract and "R1-3" not in extract
