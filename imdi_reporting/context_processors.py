from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from goals.selectors import user_profile
from imdi_reporting.portfolio import may_see_portfolio
from settlement.selectors import visible_settlement_agencies

# Shown to the readers of a ministry (and administrators), whatever their permissions.
PORTFOLIO = "ministry"

# (URL name, label, permission needed). Sections whose page is not installed are left out,
# and so are modules no agency of the user has (MODULES).
NAVIGATION = [
    ("home", _("Overview"), None),
    ("portfolio", _("Portfolio"), PORTFOLIO),
    ("goals:requirement-list", _("Result requirements"), "goals.view_resultrequirement"),
    ("budget:index", _("Budget"), "budget.view_chapter"),
    ("settlement:index", _("Settlement"), "settlement.view_forecast"),
    ("reports:index", _("Reports"), None),
]
MODULES = {"settlement:index": visible_settlement_agencies}


def organisation(request: HttpRequest) -> dict:
    """Whose installation this is for the signed-in user: their agency, else their ministry.

    The site carries no agency's name in code; the title and footer name the organisation
    the user works in, and the product name alone before login.
    """
    profile = user_profile(user=getattr(request, "user", None) or AnonymousUser())
    if profile is None:
        return {"organisation": None}
    return {"organisation": profile.agency or profile.ministry}


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = []
    for name, label, permission in NAVIGATION:
        if permission == PORTFOLIO:
            if not may_see_portfolio(user=user):
                continue
        elif permission and not user.has_perm(permission):
            continue
        if name in MODULES and not MODULES[name](user=user):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"url": url, "label": label, "current": current})
    # The profile is read once per request already (organisation), so the count is free.
    profile = user_profile(user=user)
    return {
        "navigation": items,
        "unread_notifications": getattr(profile, "unread_notifications", 0),
    }
