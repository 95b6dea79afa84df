from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from settlement.selectors import visible_settlement_agencies

# (URL name, label, permission needed). Sections whose page is not installed are left out,
# and so are modules no agency of the user has (MODULES).
NAVIGATION = [
    ("home", _("Overview"), None),
    ("goals:requirement-list", _("Result requirements"), "goals.view_resultrequirement"),
    ("budget:index", _("Budget"), "budget.view_chapter"),
    ("settlement:index", _("Settlement"), "settlement.view_forecast"),
    ("reports:index", _("Reports"), None),
]
MODULES = {"settlement:index": visible_settlement_agencies}


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = []
    for name, label, permission in NAVIGATION:
        if permission and not user.has_perm(permission):
            continue
        if name in MODULES and not MODULES[name](user=user):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"url": url, "label": label, "current": current})
    return {"navigation": items}
