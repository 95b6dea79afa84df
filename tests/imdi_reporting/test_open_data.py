"""Open data: a submitted period as a Frictionless data package with DCAT-AP-NO metadata.

Every package these tests get (from the report page, the API and the command) is checked
with frictionless and its dcat.jsonld with pyshacl against imdi_reporting/opendata/
shapes.ttl, offline. The demo data is loaded once for the module, in a transaction that is
rolled back at its end.
"""

import csv
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from budget.selectors import budget_overview
from goals.models import ReportingPeriod
from goals.selectors import requirement_list
from imdi_reporting.opendata.package import build_package
from imdi_reporting.services import load_demo
from settlement import selectors as settlement

frictionless = pytest.importorskip("frictionless")
pyshacl = pytest.importorskip("pyshacl")
rdflib = pytest.importorskip("rdflib")

SHAPES = Path(settings.BASE_DIR) / "imdi_reporting" / "opendata" / "shapes.ttl"
NLOD = rdflib.URIRef("https://data.norge.no/nlod/no/2.0")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
BASE = "https://rapport.example.org"


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


def _period(kind: str) -> ReportingPeriod:
    return ReportingPeriod.objects.select_related("budget_year__agency").get(
        budget_year__agency__code="IMDi", budget_year__year=2006, kind=kind
    )


@pytest.fixture
def h1(db) -> ReportingPeriod:
    return _period("H1")


@pytest.fixture
def api_for(demo_user):
    def make(username: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(demo_user(username))
        return client

    return make


def _unzip(data: bytes, folder: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (top,) = {name.split("/")[0] for name in archive.namelist()}
        archive.extractall(folder)
    return folder / top


def _assert_valid_package(folder: Path) -> None:
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    resources = json.loads((folder / "datapackage.json").read_text())["resources"]
    assert len(report.tasks) == len(resources)


def _shacl(graph) -> tuple[bool, str]:
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    conforms, _graph, text = pyshacl.validate(graph, shacl_graph=shapes)
    return conforms, text


def _dcat_graph(folder: Path):
    return rdflib.Graph().parse(folder / "dcat.jsonld", format="json-ld")


def _rows(folder: Path, table: str) -> list[dict]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def package_dir(h1, tmp_path) -> Path:
    build_package(period=h1, base_url=BASE).write_to(tmp_path)
    return tmp_path


def test_it_builds_a_valid_frictionless_package(package_dir):
    _assert_valid_package(package_dir)
    descriptor = json.loads((package_dir / "datapackage.json").read_text())
    assert [r["name"] for r in descriptor["resources"]] == [
        "result_requirements",
        "indicators",
        "deliverables",
        "budget_execution",
        "settlement_figures",
        "settlement_breakdowns",
        "settlement_municipalities",
    ]
    assert descriptor["licenses"][0]["path"] == "https://data.norge.no/nlod/no/2.0"


def test_it_notices_a_broken_csv(package_dir):
    # The validation has teeth: a figure that is not a number fails it.
    path = package_dir / "budget_execution.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(lines[1].split(",")[5], "mange", 1)
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    assert not frictionless.validate(str(package_dir / "datapackage.json")).valid


def test_it_describes_the_dataset_in_dcat_ap_no(package_dir, h1):
    graph = _dcat_graph(package_dir)
    conforms, text = _shacl(graph)
    assert conforms, text
    dataset = next(graph.subjects(rdflib.RDF.type, DCAT.Dataset))
    temporal = graph.value(dataset, DCT.temporal)
    assert graph.value(temporal, DCAT.startDate).toPython() == h1.start
    assert graph.value(temporal, DCAT.endDate).toPython() == h1.end
    distributions = list(graph.objects(dataset, DCAT.distribution))
    assert len(distributions) == 1 + 7
    assert all(graph.value(d, DCT.license) == NLOD for d in distributions)
    titles = {t.language: str(t) for t in graph.objects(dataset, DCT.title)}
    assert titles["nb"].startswith(f"Virksomhetsrapport {h1.short_slug}")
    assert titles["en"].startswith(f"Performance report {h1.short_slug}")
    publisher = graph.value(dataset, DCT.publisher)
    assert str(graph.value(publisher, rdflib.FOAF.name)) == h1.budget_year.agency.name


@pytest.mark.parametrize(
    ("removed", "message"),
    [(DCT.license, "license"), (DCAT.theme, "theme"), (DCT.publisher, "publisher")],
)
def test_the_shapes_refuse_a_description_without_a_mandatory_property(
    package_dir, removed, message
):
    graph = _dcat_graph(package_dir)
    graph.remove((None, removed, None))
    conforms, text = _shacl(graph)
    assert not conforms
    assert message in text


def test_it_lists_every_requirement_with_its_status(package_dir, h1):
    expected = [
        (row.requirement.code, row.worst.value if row.worst else "")
        for group in requirement_list(period=h1)
        for row in group["rows"]
    ]
    rows = _rows(package_dir, "result_requirements")
    assert [(r["requirement"], r["status"]) for r in rows] == expected
    assert {r["status"] for r in rows} - {""}


def test_it_has_the_budget_execution_of_the_report(package_dir, h1):
    overview = budget_overview(period=h1)
    rows = {(r["chapter"], r["post"]): r for r in _rows(package_dir, "budget_execution")}
    posts = [post for chapter in overview.chapters for post in chapter.posts]
    assert len(rows) == len(posts)
    for post in posts:
        row = rows[(post.post.chapter.number, post.post.number)]
        for column, value in [
            ("appropriation", post.sum_appropriation),
            ("accounts", post.accounts_total),
            ("remaining", post.remaining),
            ("expected_spend", post.expected_linear),
            ("deviation", post.deviation),
        ]:
            assert row[column] == ("" if value is None else str(int(value))), (row, column)
        if post.share_spent is not None:
            assert Decimal(row["share_spent"]) == post.share_spent.quantize(Decimal("0.0001"))


def test_it_never_puts_a_suppressed_count_in_the_package(package_dir, h1):
    threshold = settings.SETTLEMENT_SUPPRESSION_THRESHOLD
    agency = h1.budget_year.agency
    exact = settlement.municipalities(agency=agency, start=h1.start, end=h1.end)
    small = {m["code"] for m in exact if m["settled"] < threshold}
    assert small, "the demo has municipalities with few settled persons"
    for row in _rows(package_dir, "settlement_municipalities"):
        hidden = row["municipality"] in small
        assert (row["settled"] == "") == hidden
        assert (row["share_of_accepted"] == "") == (hidden or not row["accepted"])
        assert row["suppressed"] == ("true" if hidden else "false")
        if not hidden:
            assert int(row["settled"]) >= threshold

    breakdowns = _rows(package_dir, "settlement_breakdowns")
    for dimension in settlement.BREAKDOWNS:
        for group in settlement.breakdown(agency=agency, by=dimension, start=h1.start, end=h1.end):
            (row,) = [
                r
                for r in breakdowns
                if r["dimension"] == dimension and r["group"] == str(group["group"] or "")
            ]
            for count in ("settled", "waiting"):
                shown = row[count]
                assert shown == ("" if group[count] < threshold else str(group[count]))
    assert any(r["suppressed"] == "true" for r in breakdowns)

    for row in _rows(package_dir, "settlement_figures"):
        if row["measure"] in settlement.REPORT_COUNTS and row["value"]:
            assert int(row["value"]) >= threshold


def test_it_builds_the_package_in_a_fixed_number_of_queries(h1, django_assert_num_queries):
    # requirements 1, their progress 2, indicators and values 2, deliverables 1; budget
    # posts, allocations, accounts 3; settlement report figures 7 (the stock in reception
    # and over the limit is one query), breakdowns 7 (those waiting per group of all six
    # in one, the settled per group one each), municipalities 1.
    with django_assert_num_queries(24):
        build_package(period=h1, base_url=BASE)


def test_it_downloads_the_zip_from_the_report_page(client_for, h1, tmp_path):
    client = client_for("aid")
    page = client.get(reverse("reports:full", args=[h1.slug])).content.decode()
    url = reverse("reports:open_data", args=[h1.slug])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    folder = _unzip(response.content, tmp_path)
    _assert_valid_package(folder)
    conforms, text = _shacl(_dcat_graph(folder))
    assert conforms, text
    graph = _dcat_graph(folder)
    assert (None, DCAT.accessURL, rdflib.URIRef(f"http://testserver{url}")) in graph


def test_it_refuses_a_draft_period_everywhere(client_for, api_for, tmp_path):
    year = _period("Y")
    assert not year.is_locked
    client = client_for("direktor")
    assert (
        reverse("reports:open_data", args=[year.slug])
        not in client.get(reverse("reports:full", args=[year.slug])).content.decode()
    )
    assert client.get(reverse("reports:open_data", args=[year.slug])).status_code == 404
    assert api_for("direktor").get(f"/api/open-data/{year.slug}/").status_code == 404
    with pytest.raises(CommandError, match="not submitted"):
        call_command("export_open_data", period=year.slug, out=str(tmp_path), base_url=BASE)
    assert not list(tmp_path.iterdir())


def test_it_serves_the_package_in_the_api(api_for, h1, tmp_path):
    response = api_for("aid").get(f"/api/open-data/{h1.slug}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    _assert_valid_package(_unzip(response.content, tmp_path))
    missing = api_for("aid").get("/api/open-data/IMDi-1999-H1/")
    assert missing.status_code == 404
    assert missing.json()["detail"]


def test_it_exports_the_package_with_the_command(h1, tmp_path):
    out = io.StringIO()
    call_command(
        "export_open_data", period=h1.slug, out=str(tmp_path), base_url=BASE, zip=True, stdout=out
    )
    _assert_valid_package(tmp_path)
    conforms, text = _shacl(_dcat_graph(tmp_path))
    assert conforms, text
    zipped = tmp_path / "mal-og-resultat-imdi-2006-h1.zip"
    assert zipped.read_bytes() == build_package(period=h1, base_url=BASE).zip_bytes()
    assert str(zipped) in out.getvalue()


def test_the_command_needs_the_site_address(h1, tmp_path):
    with override_settings(SITE_URL=""), pytest.raises(CommandError, match="SITE_URL"):
        call_command("export_open_data", period=h1.slug, out=str(tmp_path))
    with override_settings(SITE_URL=BASE):
        call_command("export_open_data", period=h1.slug, out=str(tmp_path), stdout=io.StringIO())
    graph = _dcat_graph(tmp_path)
    assert any(str(o).startswith(BASE) for o in graph.objects(None, DCAT.accessURL))
