from django.contrib.auth import get_user_model
from django.core.management import call_command

from goals.models import Agency, OrganisationalUnit, ReportingPeriod


def snapshot():
    User = get_user_model()
    return {
        "users": sorted(User.objects.values_list("username", "password", "is_superuser")),
        "units": OrganisationalUnit.objects.count(),
        "agencies": Agency.objects.count(),
        "periods": sorted(ReportingPeriod.objects.values_list("kind", "state", "submitted_at")),
    }


def test_it_loads_the_demo_data_and_users(db):
    call_command("load_demo", verbosity=0)
    assert get_user_model().objects.count() == 8
    assert set(OrganisationalUnit.objects.values_list("code", flat=True)) >= {
        "ADM",
        "KOMM",
        "NE",
        "PAKS",
        "VEST",
    }
    h1 = ReportingPeriod.objects.get(kind="H1")
    assert h1.is_locked
    assert h1.submitted_by.username == "direktor"


def test_loading_twice_changes_nothing(db):
    call_command("load_demo", verbosity=0)
    first = snapshot()
    call_command("load_demo", verbosity=0)
    assert snapshot() == first
