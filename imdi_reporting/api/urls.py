from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from imdi_reporting.api.urls_registry import API_SECTIONS
from imdi_reporting.api.views import api_root, not_found, open_data

urlpatterns = [
    path("", api_root, name="api-root"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *[
        path(f"{section}/", include(f"{section}.api.urls", namespace=namespace))
        for section, namespace in API_SECTIONS
    ],
    path("open-data/<str:period>/", open_data, name="api-open-data"),
    # Last: ids that are not numbers and other unknown addresses get JSON, not HTML. An
    # address may hold an encoded line break, which `.` would not match.
    re_path(r"^(?P<path>[\s\S]*/)$", not_found, name="api-not-found"),
]
