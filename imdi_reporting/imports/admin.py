"""Large admin imports go to the task worker.

The budget and settlement admins import through django-import-export; here, where the
apps are composed, each of their import pages is given the background path: a file with
more rows or bytes than IMPORT_BACKGROUND_ROWS / IMPORT_BACKGROUND_BYTES is stored as an
ImportJob and checked and imported by the worker, and the page that follows shows its
progress and result.
"""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect

from budget.models import AccountsEntry, AllocationEntry, SubPostLine
from imdi_reporting.imports.services import SETTLEMENT_CASES, estimated_rows
from imdi_reporting.imports.tasks import start_import_job
from settlement.models import SettlementCase

BACKGROUND_KINDS = {
    AllocationEntry: "budget:allocations",
    AccountsEntry: "budget:accounts",
    SubPostLine: "budget:lines",
    SettlementCase: SETTLEMENT_CASES,
}


def is_large(*, content: bytes, filename: str) -> bool:
    rows = estimated_rows(content=content, filename=filename) or 0
    return len(content) > settings.IMPORT_BACKGROUND_BYTES or rows > (
        settings.IMPORT_BACKGROUND_ROWS
    )


class BackgroundImportMixin:
    background_kind = ""

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                upload = form.cleaned_data["import_file"]
                content = upload.read()
                if is_large(content=content, filename=upload.name):
                    job = start_import_job(
                        kind=self.background_kind,
                        content=content,
                        filename=upload.name,
                        agency_code=self.get_import_resource_kwargs(request).get("agency_code", ""),
                        user=request.user,
                    )
                    return redirect("imports:job", job_id=job.pk)
                upload.seek(0)
        return super().import_action(request, **kwargs)


def use_background_imports(site: admin.AdminSite) -> None:
    for model, kind in BACKGROUND_KINDS.items():
        current = type(site._registry[model])
        site.unregister(model)
        site.register(
            model,
            type(current.__name__, (BackgroundImportMixin, current), {"background_kind": kind}),
        )
