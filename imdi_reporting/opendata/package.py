"""Writes a period's open data: CSV files, ``datapackage.json`` (Frictionless Tabular Data
Package) and ``dcat.jsonld`` (DCAT-AP-NO), as a folder or as one zip.

No database writes happen here; the tables come from ``opendata.selectors``.
"""

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from goals.models import ReportingPeriod
from imdi_reporting.opendata.selectors import Table, open_data_tables

NLOD = "https://data.norge.no/nlod/no/2.0"
EU = "http://publications.europa.eu/resource/authority"
# EU data themes: government and public sector; population and society (settlement).
THEMES = (f"{EU}/data-theme/GOVE", f"{EU}/data-theme/SOCI")
FRICTIONLESS = "https://specs.frictionlessdata.io/tabular-data-package/"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
DESCRIPTOR = "datapackage.json"
DCAT = "dcat.jsonld"


@dataclass
class OpenDataPackage:
    """The files of a package by name, in the order they are written."""

    name: str
    files: dict[str, bytes]

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.files.items():
                # A fixed time, so that the same data gives the same zip.
                info = zipfile.ZipInfo(f"{self.name}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        return buffer.getvalue()

    def write_to(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, data in self.files.items():
            path = folder / name
            path.write_bytes(data)
            written.append(path)
        return written


def _cell(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "integer":
        if Decimal(value) != int(value):
            raise ValueError(f"{value} is not a whole number")
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize() if value == value.to_integral() else value, "f")
    return str(value)


def table_csv(*, table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f.name for f in table.fields])
    for row in table.rows:
        writer.writerow([_cell(row[f.name], f.type) for f in table.fields])
    return buffer.getvalue().encode("utf-8")


def package_name(*, period: ReportingPeriod) -> str:
    return f"mal-og-resultat-{period.slug}".lower()


def _resource(table: Table, data: bytes) -> dict:
    schema: dict = {
        "fields": [
            {"name": f.name, "type": f.type, "description": f.description} for f in table.fields
        ],
        "missingValues": [""],
    }
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    return {
        "name": table.name,
        "path": f"{table.name}.csv",
        "profile": "tabular-data-resource",
        "title": table.title,
        "description": table.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
        "schema": schema,
    }


def _texts(period: ReportingPeriod) -> dict[str, dict[str, str]]:
    """Title and description in bokmål and English (DCAT-AP-NO asks for nb)."""
    texts: dict[str, dict[str, str]] = {"title": {}, "description": {}}
    agency = period.budget_year.agency
    for language in ("nb", "en"):
        with translation.override(language):
            texts["title"][language] = _(
                "Performance report %(period)s from %(agency)s: results and budget execution"
            ) % {"period": period.short_slug, "agency": agency.name}
            texts["description"][language] = _(
                "Result requirements with status, indicators with targets and values, "
                "deliverables, budget execution per chapter and post and settlement figures "
                "from the report %(agency)s sent its ministry for %(start)s to %(end)s."
            ) % {"agency": agency.name, "start": period.start, "end": period.end}
    return texts


def descriptor(*, period: ReportingPeriod, resources: list[dict]) -> dict:
    agency = period.budget_year.agency
    texts = _texts(period)
    return {
        "profile": "tabular-data-package",
        "name": package_name(period=period),
        "title": texts["title"]["nb"],
        "description": texts["description"]["nb"],
        "version": period.submitted_at.isoformat(),
        "created": period.submitted_at.isoformat(),
        "licenses": [
            {
                "name": "NLOD-2.0",
                "path": NLOD,
                "title": "Norsk lisens for offentlige data (NLOD) 2.0",
            }
        ],
        "contributors": [{"title": agency.name, "role": "publisher", "email": agency.email}]
        if agency.email
        else [{"title": agency.name, "role": "publisher"}],
        "keywords": [agency.code, period.short_slug],
        "resources": resources,
    }


def _literal(texts: dict[str, str]) -> list[dict]:
    return [{"@value": text, "@language": language} for language, text in texts.items()]


def _date(value: date) -> dict:
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def _publisher_uri(*, period: ReportingPeriod, base_url: str) -> str:
    website = period.budget_year.agency.website.strip().rstrip("/")
    if website:
        return website if "://" in website else f"https://{website}"
    return f"{base_url}/#{period.budget_year.agency.code}"


def _distributions(*, tables: list[Table], dataset: str, download: str, texts: dict) -> list:
    """The zip (a Frictionless package) and each CSV file in it, all under NLOD 2.0."""
    licence = {"@id": NLOD}
    media = "https://www.iana.org/assignments/media-types"
    return [
        {
            "@id": f"{dataset}-package",
            "@type": "dcat:Distribution",
            "dct:title": [{"@value": "datapackage.json + CSV (zip)", "@language": "nb"}],
            "dct:description": _literal(texts["description"]),
            "dcat:accessURL": {"@id": download},
            "dcat:downloadURL": {"@id": download},
            "dct:format": {"@id": f"{EU}/file-type/ZIP"},
            "dcat:mediaType": {"@id": f"{media}/application/zip"},
            "dct:conformsTo": {"@id": FRICTIONLESS},
            "dct:license": licence,
        },
        *[
            {
                "@id": f"{dataset}-{table.name}",
                "@type": "dcat:Distribution",
                "dct:title": [{"@value": table.title, "@language": "nb"}],
                "dct:description": [{"@value": table.description, "@language": "en"}],
                "dcat:accessURL": {"@id": download},
                "dct:format": {"@id": f"{EU}/file-type/CSV"},
                "dcat:mediaType": {"@id": f"{media}/text/csv"},
                "dct:license": licence,
            }
            for table in tables
        ],
    ]


def _agents(*, period: ReportingPeriod, publisher: str, contact: str) -> list[dict]:
    """The publisher (the agency) and its contact point, from the agency's row."""
    agency = period.budget_year.agency
    return [
        {
            "@id": publisher,
            "@type": "foaf:Agent",
            "foaf:name": [{"@value": agency.name, "@language": "nb"}],
            "dct:identifier": agency.code,
        },
        {
            "@id": contact,
            "@type": "vcard:Organization",
            "vcard:fn": agency.name,
            **({"vcard:hasEmail": {"@id": f"mailto:{agency.email}"}} if agency.email else {}),
            **({"vcard:hasURL": {"@id": publisher}} if agency.website else {}),
        },
    ]


def dcat(*, period: ReportingPeriod, tables: list[Table], base_url: str) -> dict:
    """The DCAT-AP-NO description: catalogue, dataset, publisher, contact point, period of
    time and one distribution per file, as JSON-LD with its context inline (no lookup)."""
    agency = period.budget_year.agency
    texts = _texts(period)
    download = base_url + reverse("reports:open_data", args=[period.slug])
    dataset = base_url + reverse("reports:full", args=[period.slug]) + "#open-data"
    publisher = _publisher_uri(period=period, base_url=base_url)
    temporal = f"{dataset}-period"
    distributions = _distributions(tables=tables, dataset=dataset, download=download, texts=texts)
    graph = [
        {
            "@id": f"{base_url}/#catalog",
            "@type": "dcat:Catalog",
            "dct:title": [{"@value": f"{agency.name}: mål- og resultatstyring", "@language": "nb"}],
            "dct:description": _literal(texts["description"]),
            "dct:publisher": {"@id": publisher},
            "dcat:dataset": {"@id": dataset},
        },
        {
            "@id": dataset,
            "@type": "dcat:Dataset",
            "dct:identifier": dataset,
            "dct:title": _literal(texts["title"]),
            "dct:description": _literal(texts["description"]),
            "dct:publisher": {"@id": publisher},
            "dcat:contactPoint": {"@id": f"{dataset}-contact"},
            "dcat:theme": [{"@id": theme} for theme in THEMES],
            "dcat:keyword": [{"@value": agency.code, "@language": "nb"}],
            "dct:temporal": {"@id": temporal},
            "dct:issued": _date(period.submitted_at.date()),
            "dct:language": {"@id": f"{EU}/language/NOB"},
            "dct:accessRights": {"@id": f"{EU}/access-right/PUBLIC"},
            "dct:license": {"@id": NLOD},
            "dcat:distribution": [{"@id": d["@id"]} for d in distributions],
        },
        *_agents(period=period, publisher=publisher, contact=f"{dataset}-contact"),
        {
            "@id": temporal,
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": _date(period.start),
            "dcat:endDate": _date(period.end),
        },
        *distributions,
    ]
    return {"@context": CONTEXT, "@graph": graph}


def _json(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def table_files(*, period: ReportingPeriod) -> dict[str, bytes]:
    """The package's CSV files by name, made from the data as it is now."""
    tables = open_data_tables(period=period)
    return {f"{table.name}.csv": table_csv(table=table) for table in tables}


def build_package(
    *, period: ReportingPeriod, base_url: str, stored: dict[str, bytes] | None = None
) -> OpenDataPackage:
    """The package of a submitted period (the caller checks that it is submitted). With
    ``stored``, the CSV files as the period's submission published them, rather than the
    data as it is now."""
    tables = open_data_tables(period=period)
    files: dict[str, bytes] = {}
    resources = []
    for table in tables:
        name = f"{table.name}.csv"
        data = stored[name] if stored is not None else table_csv(table=table)
        files[name] = data
        resources.append(_resource(table, data))
    base_url = base_url.rstrip("/")
    return OpenDataPackage(
        name=package_name(period=period),
        files={
            DESCRIPTOR: _json(descriptor(period=period, resources=resources)),
            **files,
            DCAT: _json(dcat(period=period, tables=tables, base_url=base_url)),
        },
    )
