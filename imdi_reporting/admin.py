from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from imdi_reporting.models import AccessibilityFeedback


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(admin.ModelAdmin):
    """The problems reported from the accessibility statement, newest first."""

    list_display = ["created", "summary", "url", "email", "user", "handled"]
    list_filter = ["handled", "created"]
    list_editable = ["handled"]
    search_fields = ["description", "url", "email", "name"]
    readonly_fields = ["created", "name", "email", "url", "description", "user"]
    date_hierarchy = "created"

    @admin.display(description=_("description"))
    def summary(self, obj: AccessibilityFeedback) -> str:
        return Truncator(obj.description).chars(80)

    def has_add_permission(self, request) -> bool:
        # Reports come from the form on the statement page only.
        return False
