"""Writes of the single sign-on: the user a login creates or updates."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from goals.models import Agency, Ministry, OrganisationalUnit
from goals.services import set_user_profile
from imdi_reporting.models import SsoIdentity
from imdi_reporting.roles import Role
from imdi_reporting.sso.selectors import Grant

USERNAME_MAX_LENGTH = 150


def _free_username(*, wanted: str) -> str:
    """The wanted username, or with -2, -3 ... when a local account has it: a login never
    takes over an existing account by its name."""
    User = get_user_model()
    base = wanted[: USERNAME_MAX_LENGTH - 4] or "sso"
    candidate, number = base, 1
    while User.objects.filter(username=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


@transaction.atomic
def provision_user(*, issuer: str, claims: dict, grant: Grant):
    """Create or update the user of an identity: name and e-mail from the claims, roles and
    place from the grant. Roles the mappings no longer give are taken away."""
    identity = (
        SsoIdentity.objects.select_related("user")
        .select_for_update()
        .filter(issuer=issuer, subject=claims["sub"])
        .first()
    )
    if identity is None:
        user = get_user_model()(
            username=_free_username(
                wanted=claims.get("preferred_username") or claims.get("email") or claims["sub"]
            )
        )
        user.set_unusable_password()
    else:
        user = identity.user
    user.first_name = (claims.get("given_name") or "")[:150]
    user.last_name = (claims.get("family_name") or "")[:150]
    if not user.first_name and not user.last_name and claims.get("name"):
        user.first_name, _space, user.last_name = str(claims["name"]).partition(" ")
    user.email = claims.get("email") or ""
    # The admin needs is_staff; only the administrator role gets there.
    user.is_staff = Role.ADMINISTRATOR in grant.roles
    user.save()
    if identity is None:
        SsoIdentity.objects.create(user=user, issuer=issuer, subject=claims["sub"])
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    user.groups.add(*Group.objects.filter(name__in=grant.roles))
    set_user_profile(
        user=user,
        ministry=Ministry.objects.get(pk=grant.ministry_id) if grant.ministry_id else None,
        agency=Agency.objects.get(pk=grant.agency_id) if grant.agency_id else None,
        unit=OrganisationalUnit.objects.get(pk=grant.unit_id) if grant.unit_id else None,
    )
    return user
