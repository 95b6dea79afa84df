from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from goals.selectors import get_period
from imdi_reporting.api.urls_registry import API_SECTIONS
from imdi_reporting.reports.views import open_data_response


@extend_schema(exclude=True)
@api_view(["GET"])
def api_root(request: Request, format=None) -> Response:
    """Links to each app's API and to the schema."""
    links = {
        section: reverse(f"{namespace}:api-root", request=request, format=format)
        for section, namespace in API_SECTIONS
    }
    links["schema"] = reverse("api-schema", request=request, format=format)
    links["docs"] = reverse("api-docs", request=request, format=format)
    return Response(links)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def not_found(request: Request, path: str = "") -> Response:
    """Any other address under /api/: a JSON 404 rather than the site's HTML page."""
    raise exceptions.NotFound("No such API address.")


@extend_schema(
    operation_id="open_data_package",
    summary="A submitted period's open data package",
    description=(
        "A zip with datapackage.json (Frictionless Tabular Data Package), one CSV file per "
        "table and dcat.jsonld (DCAT-AP-NO). Settlement counts below the suppression "
        "threshold are left out for every caller. Periods that are not submitted have none."
    ),
    parameters=[
        OpenApiParameter(
            "period",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            description="The period's full address, e.g. ABC-2006-H1",
        )
    ],
    responses={(200, "application/zip"): OpenApiTypes.BINARY},
)
@api_view(["GET"])
def open_data(request: Request, period: str) -> HttpResponse:
    found = get_period(slug=period, user=request.user)
    if found is None:
        raise exceptions.NotFound("No such period, or not one you may read.")
    return open_data_response(request, found)
