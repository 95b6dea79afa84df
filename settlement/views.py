from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from goals.models import Agency
from goals.page_cache import kept_page
from settlement import selectors
from settlement.forms import PeriodForm

AGENCY_PARAMETER = "virksomhet"


def _period(
    request: HttpRequest, agency: Agency, disclosure: selectors.Disclosure
) -> tuple[PeriodForm, date, date]:
    latest = selectors.cached_latest_settled_date(agency=agency) or timezone.localdate()
    end = disclosure.default_end(latest)
    default = {"start": date(end.year, 1, 1), "end": end}
    if {"start", "end"} & set(request.GET):
        form = PeriodForm(request.GET, disclosure=disclosure)
        if form.is_valid():
            return form, form.cleaned_data["start"], form.cleaned_data["end"]
        return form, default["start"], default["end"]
    return PeriodForm(initial=default, disclosure=disclosure), default["start"], default["end"]


@login_required
@kept_page
def index(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("settlement.view_forecast"):
        raise PermissionDenied
    agencies = selectors.visible_settlement_agencies(user=request.user)
    if not agencies:
        raise Http404(_("No agency you may see has the settlement module."))
    agency = selectors.choose_agency(agencies, request.GET.get(AGENCY_PARAMETER))
    if agency is None:
        raise Http404(_("No agency with the settlement module that you may see has this code."))
    disclosure = selectors.disclosures(user=request.user, agencies=[agency])[agency.pk]
    if disclosure.until == date.min:
        raise Http404(_("This agency has submitted no period yet."))
    form, start, end = _period(request, agency, disclosure)
    exact = disclosure.exact
    context = selectors.cached_settlement_page(agency=agency, start=start, end=end, exact=exact)
    context.update(
        form=form,
        start=start,
        end=end,
        exact=exact,
        agencies=agencies,
        agency_parameter=AGENCY_PARAMETER,
        threshold=settings.SETTLEMENT_SUPPRESSION_THRESHOLD,
        until=disclosure.until,
        changes=selectors.change_summary(agency=agency) if exact else None,
    )
    return render(request, "settlement/index.html", context)
