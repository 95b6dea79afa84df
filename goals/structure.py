"""Who answers for a row of the reporting form: the parent of an activity or indicator
leads to its ANSV unit. A read of the letter's structure that the selectors, the services
and the loaders all need, kept apart so that the selectors never import the services."""

from goals.models import (
    Agency,
    OrganisationalUnit,
    OtherReportingTopic,
    PriorityItem,
    ResultRequirement,
    SpecialReportingRequirement,
)


def responsible_unit_of(*, parent) -> OrganisationalUnit | None:
    """The ANSV unit that answers for an activity's or indicator's parent; None means
    agency-wide."""
    if isinstance(parent, ResultRequirement):
        return parent.responsible_unit
    if isinstance(parent, SpecialReportingRequirement):
        if parent.responsible_unit_id or parent.requirement_id is None:
            return parent.responsible_unit
        return parent.requirement.responsible_unit
    if isinstance(parent, OtherReportingTopic):
        return parent.responsible_unit
    if isinstance(parent, PriorityItem):
        return parent.area.responsible_unit
    return None


def may_edit(*, user, unit: OrganisationalUnit | None, agency: Agency) -> bool:
    """Approvers edit everything of their agency; editors only what their unit answers for."""
    profile = getattr(user, "profile", None)
    if profile is None or profile.agency_id != agency.pk:
        return bool(user.is_superuser)
    if user.has_perm("goals.approve_statusupdate"):
        return True
    if unit is None:
        return True
    return profile.unit_id == unit.pk
