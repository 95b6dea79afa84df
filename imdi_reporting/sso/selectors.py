"""Reads for the single sign-on: which role mappings a user's claims match."""

from dataclasses import dataclass

from django.db.models import Q

from imdi_reporting.models import SsoRoleMapping


@dataclass(frozen=True)
class Grant:
    """What the matching mappings give: roles and one place (ministry or agency, unit)."""

    roles: frozenset[str]
    ministry_id: int | None
    agency_id: int | None
    unit_id: int | None


def _items(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def claim_values(*, claims: dict, claim: str) -> list[str]:
    """A claim's values as strings: a single value or a list (groups). A dotted name walks
    into objects and lists, e.g. authorization_details.reportees.ID (Ansattporten)."""
    found = [claims]
    for part in claim.split("."):
        found = [
            item[part]
            for value in found
            for item in _items(value)
            if isinstance(item, dict) and part in item
        ]
    return [
        str(item)
        for value in found
        for item in _items(value)
        if item is not None and not isinstance(item, dict | list)
    ]


def matching_mappings(*, claims: dict) -> list[SsoRoleMapping]:
    """The mappings whose claim holds their value; two queries."""
    condition = Q(pk__in=[])
    for claim in SsoRoleMapping.objects.values_list("claim", flat=True).distinct():
        values = claim_values(claims=claims, claim=claim)
        if values:
            condition |= Q(claim=claim, value__in=values)
    return list(SsoRoleMapping.objects.filter(condition).order_by("pk"))


def grant_for(*, claims: dict) -> Grant | None:
    """The roles and place the claims give, or None: no mapping matches, or the matching
    mappings name different places (then nobody can tell where the user works)."""
    mappings = matching_mappings(claims=claims)
    places = {(m.ministry_id, m.agency_id, m.unit_id) for m in mappings}
    if len(places) != 1:
        return None
    ministry_id, agency_id, unit_id = places.pop()
    return Grant(
        roles=frozenset(m.role for m in mappings),
        ministry_id=ministry_id,
        agency_id=agency_id,
        unit_id=unit_id,
    )
