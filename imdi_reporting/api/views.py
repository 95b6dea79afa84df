from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from imdi_reporting.api.urls_registry import API_SECTIONS


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
