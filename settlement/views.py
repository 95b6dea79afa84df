from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from goals.charts import Series, line_chart
from settlement import selectors
from settlement.choices import AgeGroup, CaseCategory, FamilyComposition, Sex
from settlement.forms import PeriodForm

BREAKDOWN_TITLES = {
    "category": lambda: _("By category"),
    "nationality": lambda: _("By nationality"),
    "sex": lambda: _("By sex"),
    "age_group": lambda: _("By age group"),
    "family_composition": lambda: _("By family composition"),
    "county": lambda: _("By county (fylke)"),
}
GROUP_LABELS = {
    "category": dict(CaseCategory.choices),
    "sex": dict(Sex.choices),
    "age_group": dict(AgeGroup.choices),
    "family_composition": dict(FamilyComposition.choices),
}


def _period(request: HttpRequest) -> tuple[PeriodForm, date, date]:
    latest = selectors.latest_settled_date() or timezone.localdate()
    default = {"start": date(latest.year, 1, 1), "end": latest}
    if request.GET:
        form = PeriodForm(request.GET)
        if form.is_valid():
            return form, form.cleaned_data["start"], form.cleaned_data["end"]
        return form, default["start"], default["end"]
    return PeriodForm(initial=default), default["start"], default["end"]


def _breakdown(by: str, *, start: date, end: date, exact: bool) -> dict:
    rows = selectors.breakdown(by=by, start=start, end=end)
    labels = GROUP_LABELS.get(by, {})
    for row in rows:
        if row["group"] in (None, ""):
            row["label"] = _("No municipality yet")
        else:
            row["label"] = labels.get(row["group"], row["group"])
    if by in ("age_group", "family_composition"):
        order = list(labels)
        rows.sort(key=lambda row: order.index(row["group"]) if row["group"] in order else 99)
    return {
        "key": by,
        "title": BREAKDOWN_TITLES[by](),
        "rows": selectors.suppress_rows(
            rows,
            exact=exact,
            counts=("settled", "waiting"),
            means=(("mean_wait_months", "settled"),),
        ),
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("settlement.view_forecast"):
        raise PermissionDenied
    exact = selectors.sees_exact_figures(request.user)
    form, start, end = _period(request)

    def shown(value):
        return selectors.suppress(value, exact=exact)

    forecast = selectors.forecast_at(at=end)
    settled = selectors.settled_count(start=start, end=end)
    months = selectors.settled_by_month(start=start, end=end)
    selectors.forecast_path(months=months, forecast=forecast, year_start=date(end.year, 1, 1))
    shown_months = selectors.suppress_rows(months, exact=exact, counts=("settled", "cumulative"))
    labels = [formats.date_format(row["month"], "M Y") for row in months]
    chart = line_chart(
        title=_("Settled and forecast by month"),
        description=_(
            "Persons settled from %(start)s to %(end)s, month by month as a running total, "
            "against the forecast spread evenly over the months to its cut-off date. "
            "The same numbers are in the table below."
        )
        % {"start": formats.date_format(start, "d.m.Y"), "end": formats.date_format(end, "d.m.Y")},
        categories=labels,
        series=[
            Series(
                _("Settled, running total"),
                [None if row["cumulative"] == ":" else row["cumulative"] for row in shown_months],
            ),
            Series(_("Forecast"), [row.get("forecast") for row in months]),
        ],
    )
    ready_end = selectors.ready_in_reception(at=end)
    over_end = selectors.waiting_over_limit(at=end)
    ready_start = selectors.ready_in_reception(at=start)
    over_start = selectors.waiting_over_limit(at=start)
    off = selectors.transfer_refugees(start=start, end=end)
    within = selectors.settled_within_limit(start=start, end=end)
    context = {
        "form": form,
        "start": start,
        "end": end,
        "exact": exact,
        "threshold": settings.SETTLEMENT_SUPPRESSION_THRESHOLD,
        "settled": shown(settled),
        "forecast": forecast,
        "forecast_difference": selectors.forecast_difference(settled=settled, forecast=forecast),
        "chart": chart,
        "months": shown_months,
        "mean_wait": selectors.mean_wait_months(start=start, end=end),
        "mean_wait_from_searched": selectors.mean_wait_months_from_searched(start=start, end=end),
        "stock": [
            {
                "at": start,
                "ready": shown(ready_start["ready"]),
                "searched": shown(ready_start["searched"]),
                "over": shown(over_start["total"]),
                "over_not_searched": shown(over_start["not_searched"]),
            },
            {
                "at": end,
                "ready": shown(ready_end["ready"]),
                "searched": shown(ready_end["searched"]),
                "over": shown(over_end["total"]),
                "over_not_searched": shown(over_end["not_searched"]),
            },
        ],
        "off": {key: shown(value) for key, value in off.items()},
        "family_reunification": shown(selectors.family_reunification_settled(start=start, end=end)),
        "within": {
            "within": shown(within["within"]),
            "not_within": shown(within["not_within"]),
            "share_within": (
                selectors.SUPPRESSED
                if selectors.SUPPRESSED in (shown(within["within"]), shown(within["not_within"]))
                else within["share_within"]
            ),
        },
        "breakdowns": [
            _breakdown(by, start=start, end=end, exact=exact) for by in selectors.BREAKDOWNS
        ],
        "municipalities": selectors.suppress_rows(
            selectors.municipalities(start=start, end=end),
            exact=exact,
            counts=("settled",),
        ),
        "places": selectors.places_total(year=end.year),
    }
    return render(request, "settlement/index.html", context)
