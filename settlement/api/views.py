from datetime import date

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from settlement import selectors
from settlement.api.serializers import StatisticsQuerySerializer, StatisticsSerializer


def shown_figures(figures: dict, *, exact: bool) -> tuple[dict, list[str]]:
    """The figures with small counts withheld (null), and the names of those withheld. A
    mean over a suppressed count is withheld with it."""
    shown = dict(figures)
    suppressed = []
    for key in selectors.REPORT_COUNTS:
        if selectors.suppress(figures[key], exact=exact) == selectors.SUPPRESSED:
            shown[key] = None
            suppressed.append(key)
    if "settled" in suppressed:
        shown["mean_wait_months"] = dict.fromkeys(figures["mean_wait_months"])
        shown["mean_wait_months_from_searched"] = None
        suppressed += ["mean_wait_months", "mean_wait_months_from_searched"]
    if "off_settled" in suppressed and "settled" not in suppressed:
        shown["mean_wait_months"] = {**figures["mean_wait_months"], "off": None}
        suppressed.append("mean_wait_months.off")
    return shown, suppressed


class StatisticsViewSet(viewsets.GenericViewSet):
    """Settlement statistics (R1-1) for a period, one entry per agency with the settlement
    module that the caller may read; the same figures as the settlement page and
    `settlement_stats`. Counts below the threshold are withheld for ministry readers."""

    serializer_class = StatisticsSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("agency", str, description="Only this agency (code, e.g. ABC)."),
            OpenApiParameter(
                "date",
                date,
                description="End date, YYYY-MM-DD (default: the last settlement of the "
                "listed agencies).",
            ),
            OpenApiParameter(
                "from",
                date,
                description="Start date, YYYY-MM-DD (default: 1 January of the end date's year).",
            ),
        ],
        responses=StatisticsSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        if not request.user.has_perm("settlement.view_forecast"):
            raise exceptions.PermissionDenied("You may not read the settlement statistics.")
        for key in ("date", "from", "agency"):
            if request.query_params.get(key) == "":
                raise exceptions.ValidationError({key: "This parameter needs a value."})
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        agencies = selectors.visible_settlement_agencies(user=request.user)
        if code := query.validated_data.get("agency"):
            agencies = [agency for agency in agencies if agency.code == code]
        if not agencies:
            return Response([])
        end = query.validated_data.get("date") or (
            selectors.latest_settled_date(agencies=agencies) or timezone.localdate()
        )
        start = query.validated_data.get("from") or date(end.year, 1, 1)
        if start > end:
            raise exceptions.ValidationError({"from": "Must not be after date."})
        exact = selectors.sees_exact_figures(request.user)
        figures = selectors.report_figures(agencies=agencies, start=start, end=end)
        entries = []
        for agency in agencies:
            shown, suppressed = shown_figures(figures[agency.pk], exact=exact)
            entries.append(
                {
                    "agency": agency.code,
                    "start": start,
                    "end": end,
                    "exact": exact,
                    "suppressed": suppressed,
                    **shown,
                }
            )
        return Response(self.get_serializer(entries, many=True).data)
