from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from imdi_reporting.imports.admin import use_background_imports
from imdi_reporting.models import AccessibilityFeedback, ApiToken, SsoIdentity, SsoRoleMapping

use_background_imports(admin.site)


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: who holds which key, until when, and when it was last used. Neither the
    key (never stored) nor its hash is shown; owners create and revoke keys themselves."""

    fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at"]
    list_filter = ["revoked_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "name", "prefix"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SsoRoleMapping)
class SsoRoleMappingAdmin(admin.ModelAdmin):
    """Which claim value (a group, a role) gives which role and place at single sign-on."""

    list_display = ["claim", "value", "role", "ministry", "agency", "unit"]
    list_filter = ["role", "claim", "ministry", "agency"]
    list_select_related = ["ministry", "agency", "unit"]
    search_fields = ["value"]


@admin.register(SsoIdentity)
class SsoIdentityAdmin(admin.ModelAdmin):
    """Read-only: which provider identity each single sign-on user is."""

    fields = ["user", "issuer", "subject"]
    readonly_fields = fields
    list_display = ["subject", "issuer", "user"]
    list_select_related = ["user"]
    search_fields = ["subject", "user__username", "user__email"]

    def has_add_permission(self, request) -> bool:
        return False
