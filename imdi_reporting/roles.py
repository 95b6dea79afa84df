"""The four roles, as Django groups, and the permissions each one holds.

Groups are created by a data migration; their permissions are synchronised after every
migrate, because an app's permissions only exist once its models have been migrated.
"""

from fnmatch import fnmatch

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

DOMAIN_APPS = ("goals", "budget", "settlement")


class Role(models.TextChoices):
    MINISTRY_READER = "ministry_reader", _("Ministry reader (departement)")
    UNIT_EDITOR = "unit_editor", _("Unit editor (enhet)")
    APPROVER = "approver", _("Approver (direktorat)")
    ADMINISTRATOR = "administrator", _("Administrator")


# Each entry is "app_label.codename"; a "*" pattern matches every existing permission of
# that app, and a leading "-" removes what an earlier entry added.
_READ_ALL = ["goals.view_*", "budget.view_*", "settlement.view_*"]
_DIRECTORATE_READ = [*_READ_ALL, "goals.view_draft_period"]
# What a unit editor writes in an open period; the services check the unit (ANSV).
_GOALS_EDIT = [
    "goals.add_statusupdate",
    "goals.change_statusupdate",
    "goals.add_requirementnarrative",
    "goals.change_requirementnarrative",
    "goals.add_indicatorvalue",
    "goals.change_indicatorvalue",
    "goals.add_specialreportinganswer",
    "goals.change_specialreportinganswer",
    "goals.add_otherreportinganswer",
    "goals.change_otherreportinganswer",
    "goals.reply_feedback",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.MINISTRY_READER: [
        *_READ_ALL,
        "goals.add_feedback",
        "-goals.view_draft_period",
        "-settlement.view_exact_figures",
        "-settlement.view_settlementcase",
        "-budget.view_controls",
    ],
    Role.UNIT_EDITOR: [
        *_DIRECTORATE_READ,
        *_GOALS_EDIT,
        "-settlement.view_exact_figures",
        "-settlement.view_settlementcase",
        "budget.view_controls",
    ],
    Role.APPROVER: [
        *_DIRECTORATE_READ,
        *_GOALS_EDIT,
        "goals.approve_statusupdate",
        "goals.submit_period",
        "goals.reopen_period",
        "budget.view_controls",
        "budget.import_budget",
        "settlement.view_exact_figures",
        # Creates the next year from the last one (goals:new-year).
        "goals.add_budgetyear",
    ],
    Role.ADMINISTRATOR: [
        "goals.*",
        "budget.*",
        "settlement.*",
        "auth.*",
        # Reads the accessibility feedback in the admin and marks it handled.
        "imdi_reporting.view_accessibilityfeedback",
        "imdi_reporting.change_accessibilityfeedback",
        # Reads who holds API keys (never the keys); the login audit, and unlocks a
        # locked-out login by deleting its attempt.
        "imdi_reporting.view_apitoken",
        "axes.view_*",
        "axes.delete_accessattempt",
        # Maintains who gets which role through the single sign-on, and sees who signed in.
        "imdi_reporting.*_ssorolemapping",
        "imdi_reporting.view_ssoidentity",
    ],
}


def permissions_for(role: str) -> set[Permission]:
    everything = list(Permission.objects.select_related("content_type"))
    chosen: set[Permission] = set()
    for entry in ROLE_PERMISSIONS[role]:
        remove = entry.startswith("-")
        pattern = entry.lstrip("-")
        app_label, _, codename = pattern.partition(".")
        matches = {
            p
            for p in everything
            if p.content_type.app_label == app_label and fnmatch(p.codename, codename)
        }
        if not matches and "*" not in pattern and not remove:
            raise ImproperlyConfigured(f"Role {role} names the unknown permission {pattern}.")
        chosen = chosen - matches if remove else chosen | matches
    return chosen


def sync_roles() -> None:
    """Make every role's group hold exactly the permissions listed above."""
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(permissions_for(role.value))


def roles_of(user) -> list[str]:
    if not user.is_authenticated:
        return []
    return sorted(
        name for name in user.groups.values_list("name", flat=True) if name in Role.values
    )
