from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from budget.loaders import load_budget_demo
from goals.loaders import FixtureError, load_goals_demo, load_organisation, read_yaml
from goals.models import Agency, Ministry, OrganisationalUnit
from goals.services import set_user_profile
from imdi_reporting.roles import Role, sync_roles
from settlement.loaders import load_settlement_demo

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
DEMO_PASSWORD = "demo"  # noqa: S105  (documented demo credential, created by load_demo only)


@transaction.atomic
def load_demo_users(*, path: Path) -> int:
    """Create the demo users, their roles and where they work. Existing users keep
    their password, so that loading twice changes nothing."""
    User = get_user_model()
    sync_roles()
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    entries = (read_yaml(path) or {}).get("users", [])
    for i, item in enumerate(entries, start=1):
        where = f"users[{i}]"
        role = item.get("role")
        if role not in groups:
            raise FixtureError(str(path), where, f"role must be one of {Role.values}")
        first, _, last = item.get("full_name", "").partition(" ")
        superuser = bool(item.get("superuser", False))
        user, created = User.objects.get_or_create(
            username=item["username"],
            defaults={
                "first_name": first,
                "last_name": last,
                "is_staff": superuser or role == Role.ADMINISTRATOR,
                "is_superuser": superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.set([groups[role]])
        ministry = Ministry.objects.get(code=item["ministry"]) if item.get("ministry") else None
        agency = Agency.objects.get(code=item["agency"]) if item.get("agency") else None
        unit = (
            OrganisationalUnit.objects.get(agency=agency, code=item["unit"])
            if item.get("unit")
            else None
        )
        set_user_profile(user=user, ministry=ministry, agency=agency, unit=unit)
    return len(entries)


def demo_steps() -> list[tuple[str, Callable[[], object]]]:
    """What load_demo loads, in order. Each app adds its part here as it lands."""
    return [
        ("organisation", lambda: load_organisation(path=FIXTURES_DIR / "goals/organisation.yaml")),
        ("users", lambda: load_demo_users(path=FIXTURES_DIR / "users.yaml")),
        ("periods", lambda: load_organisation(path=FIXTURES_DIR / "goals/periods.yaml")),
        ("goals content", lambda: load_goals_demo(directory=FIXTURES_DIR / "goals")),
        ("budget", lambda: load_budget_demo(directory=FIXTURES_DIR / "budget")),
        ("settlement", lambda: load_settlement_demo(directory=FIXTURES_DIR / "settlement")),
    ]


def load_demo(*, report: Callable[[str], None] = lambda line: None) -> None:
    """Load all demo data in one transaction: a failing step leaves nothing behind."""
    with transaction.atomic():
        for name, step in demo_steps():
            result = step()
            report(f"{name}: {result}")
