from django.contrib import admin

from imdi_reporting.models import ApiToken


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
