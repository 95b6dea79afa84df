from datetime import date

from django.utils import timezone
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from goals.page_cache import kept_page
from settlement import selectors
from settlement.api.serializers import StatisticsQuerySerializer, StatisticsSerializer
from settlement.forms import window_errors


def shown_figures(figures: dict, *, exact: bool) -> tuple[dict, list[str]]:
    """The figures with withheld counts as null, and the names of those withheld. A mean
    over a withheld count is withheld with it."""
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


def agency_entries(*, agencies: list, disclosures: dict, start: date, end: date) -> list[dict]:
    """Each agency's figures as this reader may see them, its end date cut at what they
    may see; none for an agency with nothing they may see (no submitted period). The
    agencies that share an end date share their queries."""
    by_end: dict[date, list] = {}
    for agency in agencies:
        until = disclosures[agency.pk].until
        cut = min(end, until) if until else end
        if cut >= start:
            by_end.setdefault(cut, []).append(agency)
    exact = next(iter(disclosures.values())).exact
    shown_by_agency = {}
    for cut, group in by_end.items():
        figures = selectors.report_figures(agencies=group, start=start, end=cut)
        shown = selectors.shown_report_figures(
            agencies=group, figures=figures, start=start, end=cut, exact=exact
        )
        shown_by_agency.update({pk: (cut, values) for pk, values in shown.items()})
    entries = []
    for agency in agencies:
        if agency.pk not in shown_by_agency:
            continue
        cut, values = shown_by_agency[agency.pk]
        values, suppressed = shown_figures(values, exact=exact)
        entries.append(
            {
                "agency": agency.code,
                "start": start,
                "end": cut,
                "exact": exact,
                "suppressed": suppressed,
                **values,
            }
        )
    return entries


@method_decorator(kept_page, name="list")
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
                "listed agencies). Without exact figures, a month end (or the end of the "
                "latest submitted period); a ministry reader's end is cut at the end of each "
                "agency's latest submitted period (the entry's `end`).",
            ),
            OpenApiParameter(
                "from",
                date,
                description="Start date, YYYY-MM-DD (default: 1 January of the end date's "
                "year, the only start allowed without exact figures).",
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
        disclosures = selectors.disclosures(user=request.user, agencies=agencies)
        readable = [d for d in disclosures.values() if d.until != date.min]
        if not readable:
            return Response([])
        end = query.validated_data.get("date")
        if end is None:
            latest = selectors.latest_settled_date(agencies=agencies) or timezone.localdate()
            end = min(disclosure.default_end(latest) for disclosure in readable)
        start = query.validated_data.get("from") or date(end.year, 1, 1)
        if start > end:
            raise exceptions.ValidationError({"from": "Must not be after date."})
        for disclosure in readable:
            cut = min(end, disclosure.until) if disclosure.until else end
            if refused := window_errors(disclosure, start=start, end=cut):
                raise exceptions.ValidationError({"date": [str(error) for error in refused]})
        entries = agency_entries(agencies=agencies, disclosures=disclosures, start=start, end=end)
        return Response(self.get_serializer(entries, many=True).data)
