from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from goals.selectors import user_profile
from imdi_reporting.roles import Role, roles_of
from imdi_reporting.selectors import start_page_periods


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role_labels = dict(Role.choices)
    return render(
        request,
        "imdi_reporting/home.html",
        {
            "periods": start_page_periods(user=request.user),
            "profile": user_profile(user=request.user),
            "roles": [role_labels[name] for name in roles_of(request.user)],
        },
    )
