from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from goals import selectors, services
from goals.choices import PeriodState
from goals.forms import (
    DeliverableMetForm,
    FeedbackForm,
    NarrativeForm,
    NewYearForm,
    ReasonForm,
    StatusUpdateForm,
    SubmitPeriodForm,
)
from goals.locking import period_locked_message
from goals.models import (
    Activity,
    ReportingPeriod,
    RequirementNarrative,
    StatusUpdate,
)
from goals.page_cache import kept_page

READ = "goals.view_resultrequirement"


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def _period(request: HttpRequest, slug: str) -> ReportingPeriod:
    period = selectors.get_period(slug=slug, user=request.user)
    if period is None:
        raise Http404(_("No such period, or it is not available to you."))
    return period


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@kept_page
def requirement_list(request: HttpRequest) -> HttpResponse:
    _require(request.user, READ)
    periods = list(selectors.periods_visible_to(user=request.user).order_by("-end", "kind"))
    chosen = request.GET.get("periode")
    period = selectors.choose_period(periods, chosen) or (periods[0] if periods else None)
    return render(
        request,
        "goals/requirement_list.html",
        {
            "periods": periods,
            "period": period,
            **(
                selectors.requirement_list_page(period=period, query=request.GET)
                if period
                else {"groups": []}
            ),
            **(selectors.other_sections(period=period) if period else {}),
        },
    )


@login_required
def my_requirements(request: HttpRequest) -> HttpResponse:
    _require(request.user, "goals.change_statusupdate")
    profile = selectors.user_profile(user=request.user)
    period = (
        selectors.periods_visible_to(user=request.user)
        .filter(state=PeriodState.OPEN)
        .order_by("deadline")
        .first()
    )
    unitless = profile is None or profile.unit_id is None
    if period is not None and unitless and request.user.has_perm("goals.approve_statusupdate"):
        # An approver answers for no unit of their own; their work is the approval.
        return redirect("goals:approval", period.slug)
    mine = {"items": [], "previous": None}
    if period is not None and profile is not None and profile.unit_id is not None:
        mine = selectors.my_requirements(period=period, unit=profile.unit, user=request.user)
    return render(
        request,
        "goals/my_requirements.html",
        {
            "period": period,
            "profile": profile,
            **mine,
            "today": selectors.today(),
        },
    )


@login_required
@kept_page
def requirement_detail(request: HttpRequest, period_slug: str, code: str) -> HttpResponse:
    _require(request.user, READ)
    period = _period(request, period_slug)
    detail = selectors.requirement_detail(period=period, code=code, user=request.user)
    if detail is None:
        section = selectors.section_detail(period=period, code=code, user=request.user)
        if section is None:
            raise Http404(_("No such result requirement in this period."))
        return render(
            request, "goals/section_detail.html", {**section, "period": period, "code": code}
        )
    unit = detail["requirement"].responsible_unit
    return render(
        request,
        "goals/requirement_detail.html",
        {
            **detail,
            "period": period,
            "feedback_form": FeedbackForm(),
            "may_edit_narrative": selectors.may_change_reporting(
                user=request.user,
                period=period,
                unit=unit,
                permission="goals.change_requirementnarrative",
            ),
            "may_comment": request.user.has_perm("goals.add_feedback"),
            "may_reply": request.user.has_perm("goals.reply_feedback"),
            "may_record_met": selectors.may_change_reporting(
                user=request.user, period=period, unit=unit, permission="goals.change_statusupdate"
            ),
        },
    )


@login_required
@require_POST
def post_feedback(request: HttpRequest, period_slug: str, code: str) -> HttpResponse:
    period = _period(request, period_slug)
    requirement = selectors.requirement_in(period=period, code=code)
    if requirement is None:
        raise Http404
    form = FeedbackForm(request.POST)
    target = reverse("goals:requirement-detail", args=[period.slug, code])
    if not form.is_valid():
        messages.error(request, _("Write a comment."))
        return redirect(target)
    parent = None
    if form.cleaned_data["parent"]:
        parent = selectors.feedback_on(
            pk=form.cleaned_data["parent"], requirement=requirement, period=period
        )
        if parent is None:
            raise Http404
    try:
        services.add_feedback(
            user=request.user,
            requirement=requirement,
            period=period,
            text=form.cleaned_data["text"],
            parent=parent,
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Your comment is saved."))
    return redirect(f"{target}#feedback")


def _activity(period: ReportingPeriod, position: int) -> Activity:
    activity = selectors.activity_at(period=period, position=position)
    if activity is None:
        raise Http404(_("No such form row."))
    return activity


def _update_initial(update: StatusUpdate | None) -> dict:
    if update is None:
        return {"version": 0, "status": "not_started"}
    return {
        "attainment": update.attainment,
        "status": update.status,
        "deviation": update.deviation,
        "measures_done": update.measures_done,
        "measures_planned": update.measures_planned,
        "version": update.version,
    }


def _refusal(form: Form, error: ValidationError | PermissionDenied) -> tuple[int, Model | None]:
    """Shows why a service refused a save on the form; returns the response status and, when
    someone else saved in between, their newer version."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error))
        return 403, None
    form.add_error(None, _error_text(error))
    if isinstance(error, services.ConflictError):
        return 409, error.current
    if isinstance(error, services.PeriodLockedError):
        return 409, None
    return 400, None


def _edit_page(
    request: HttpRequest,
    template: str,
    *,
    page: dict,
    form: Form,
    status: int = 200,
    conflict: Model | None = None,
) -> HttpResponse:
    """An edit form; after a conflict the user's own text is shown beside the newer one."""
    context = {
        **page,
        "form": form,
        "conflict": conflict,
        "mine": form.cleaned_data if conflict else None,
    }
    return render(request, template, context, status=status)


@login_required
def edit_status_update(request: HttpRequest, period_slug: str, position: int) -> HttpResponse:
    _require(request.user, READ)
    period = _period(request, period_slug)
    activity = _activity(period, position)
    page = selectors.status_update_page(period=period, activity=activity, user=request.user)
    template = "goals/status_update_form.html"
    if period.is_locked:
        messages.warning(request, period_locked_message(period=period))
    if request.method != "POST":
        form = StatusUpdateForm(initial=_update_initial(page["update"]))
        return _edit_page(request, template, page=page, form=form)
    form = StatusUpdateForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, template, page=page, form=form, status=400)
    try:
        update = _save_status_update(
            request, activity=activity, period=period, data=form.cleaned_data
        )
    except (ValidationError, PermissionDenied) as error:
        status, conflict = _refusal(form, error)
        return _edit_page(request, template, page=page, form=form, status=status, conflict=conflict)
    return _after_save(request, update=update)


def _save_status_update(
    request: HttpRequest, *, activity: Activity, period: ReportingPeriod, data: dict
) -> StatusUpdate:
    return services.save_status_update(
        user=request.user,
        activity=activity,
        period=period,
        version=data["version"],
        attainment=data["attainment"],
        status=data["status"],
        deviation=data["deviation"],
        measures_done=data["measures_done"],
        measures_planned=data["measures_planned"],
    )


def _after_save(request: HttpRequest, *, update: StatusUpdate) -> HttpResponse:
    """ "Save and mark ready" marks the text just saved, so no edit is left behind."""
    if request.POST.get("then") != "ready":
        messages.success(request, _("The status update is saved as a draft."))
    else:
        try:
            services.mark_ready(user=request.user, update=update)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The update is saved and marked ready for approval."))
    return redirect("goals:edit-status-update", update.period.slug, update.activity.position)


@login_required
@require_POST
def mark_update_ready(request: HttpRequest, period_slug: str, position: int) -> HttpResponse:
    period = _period(request, period_slug)
    activity = _activity(period, position)
    update = selectors.update_of(activity=activity, period=period)
    if update is None:
        raise Http404
    try:
        services.mark_ready(user=request.user, update=update)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The update is marked ready for approval."))
    return redirect("goals:edit-status-update", period.slug, position)


@login_required
def approval(request: HttpRequest, period_slug: str) -> HttpResponse:
    _require(request.user, "goals.approve_statusupdate")
    period = _period(request, period_slug)
    reason_form = ReasonForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            _approval_action(request, period, action)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        except PermissionDenied as error:
            messages.error(request, str(error) or _("You may not do this."))
        return redirect("goals:approval", period.slug)
    return render(
        request,
        "goals/approval.html",
        {
            "period": period,
            **selectors.approval_overview(period=period),
            "warnings": selectors.consistency_warnings(period=period),
            "reason_form": reason_form,
        },
    )


@login_required
def submit_check(request: HttpRequest, period_slug: str) -> HttpResponse:
    """Before a period goes to the ministry: what is incomplete, and a reason to send anyway."""
    _require(request.user, "goals.submit_period")
    period = _period(request, period_slug)
    form = SubmitPeriodForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_period(
                user=request.user, period=period, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
            status = 400
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You may not do this."))
            status = 403
        else:
            messages.success(request, _("The period is submitted to the ministry and locked."))
            return redirect("goals:approval", period.slug)
    context = {"period": period, "form": form, "check": selectors.submission_check(period=period)}
    return render(request, "goals/submit_check.html", context, status=status)


def _approval_action(request: HttpRequest, period: ReportingPeriod, action: str | None) -> None:
    user = request.user
    if action == "approve-selected":
        ids = [int(pk) for pk in request.POST.getlist("updates") if pk.isdigit()]
        approved = services.approve_updates(user=user, period=period, update_ids=ids)
        messages.success(
            request,
            ngettext(
                "%(count)s update is approved.", "%(count)s updates are approved.", len(approved)
            )
            % {"count": len(approved)},
        )
    elif action in ("approve", "return"):
        update = selectors.update_in(period=period, pk=request.POST.get("update"))
        if update is None:
            raise Http404
        if action == "approve":
            services.approve_update(user=user, update=update)
            messages.success(request, _("The update is approved."))
        else:
            services.return_update(user=user, update=update, reason=request.POST.get("reason", ""))
            messages.success(request, _("The update is returned to the unit."))
    elif action == "submit":
        services.submit_period(user=user, period=period, reason=request.POST.get("reason", ""))
        messages.success(request, _("The period is submitted to the ministry and locked."))
    elif action == "reopen":
        services.reopen_period(user=user, period=period, reason=request.POST.get("reason", ""))
        messages.success(request, _("The period is reopened."))
    else:
        raise ValidationError(_("Unknown action."))


def _narrative_initial(narrative: RequirementNarrative | None) -> dict:
    if narrative is None:
        return {"version": 0}
    return {
        "version": narrative.version,
        "measures_done": narrative.measures_done,
        "status": narrative.status,
        "next_priorities": narrative.next_priorities,
    }


@login_required
def edit_narrative(request: HttpRequest, period_slug: str, code: str) -> HttpResponse:
    """The requirement's prose of part II, with the same lock, unit and conflict rules."""
    _require(request.user, READ)
    period = _period(request, period_slug)
    page = selectors.narrative_page(period=period, code=code, user=request.user)
    if page is None:
        raise Http404(_("No such result requirement in this period."))
    template = "goals/narrative_form.html"
    if period.is_locked:
        messages.warning(request, period_locked_message(period=period))
    if request.method != "POST":
        form = NarrativeForm(initial=_narrative_initial(page["narrative"]))
        return _edit_page(request, template, page=page, form=form)
    form = NarrativeForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, template, page=page, form=form, status=400)
    data = form.cleaned_data
    try:
        services.save_requirement_narrative(
            user=request.user,
            requirement=page["requirement"],
            period=period,
            version=data["version"],
            status=data["status"],
            measures_done=data["measures_done"],
            next_priorities=data["next_priorities"],
        )
    except (ValidationError, PermissionDenied) as error:
        status, conflict = _refusal(form, error)
        return _edit_page(request, template, page=page, form=form, status=status, conflict=conflict)
    messages.success(request, _("The narrative is saved."))
    return redirect("goals:requirement-detail", period.slug, page["requirement"].code)


@login_required
def new_year(request: HttpRequest) -> HttpResponse:
    """The next budget year of the user's agency from its latest one, after a preview."""
    _require(request.user, "goals.add_budgetyear")
    budget_year = selectors.latest_budget_year(user=request.user)
    form = NewYearForm(request.POST or None)
    if request.method == "POST" and budget_year is not None and form.is_valid():
        try:
            year = services.create_next_year(
                budget_year=budget_year,
                allocation_letter_date=form.cleaned_data["allocation_letter_date"],
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("goals:new-year")
        messages.success(
            request,
            _("%(year)s is created from %(previous)s.") % {"year": year, "previous": budget_year},
        )
        period = selectors.first_period(budget_year=year)
        target = reverse("goals:requirement-list")
        return redirect(f"{target}?periode={period.slug}" if period else target)
    page = selectors.new_year_page(budget_year=budget_year)
    return render(request, "goals/new_year.html", {**page, "form": form})


@login_required
@require_POST
def deliverable_met(request: HttpRequest, period_slug: str, code: str) -> HttpResponse:
    """Record the date a deliverable of the requirement was met (the unit or an approver)."""
    period = _period(request, period_slug)
    form = DeliverableMetForm(request.POST)
    target = reverse("goals:requirement-detail", args=[period.slug, code])
    if not form.is_valid():
        messages.error(request, _error_text(ValidationError(form.errors.as_text())))
        return redirect(target)
    deliverable = selectors.deliverable_in(
        period=period, code=code, pk=form.cleaned_data["deliverable"]
    )
    if deliverable is None:
        raise Http404
    try:
        services.set_deliverable_met(
            user=request.user,
            deliverable=deliverable,
            period=period,
            met_on=form.cleaned_data["met_on"],
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The date met is saved."))
    return redirect(target)
