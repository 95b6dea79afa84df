import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from goals.models import Agency, OrganisationalUnit, ReportingPeriod, StatusUpdate
from goals.services import reopen_period, save_status_update


@pytest.fixture
def development(settings):
    """pytest-django runs every test with DEBUG off; the command is meant for DEBUG on."""
    settings.DEBUG = True


def snapshot():
    User = get_user_model()
    return {
        "users": sorted(User.objects.values_list("username", "password", "is_superuser")),
        "units": OrganisationalUnit.objects.count(),
        "agencies": Agency.objects.count(),
        "periods": sorted(ReportingPeriod.objects.values_list("kind", "state", "submitted_at")),
    }


def test_it_loads_the_demo_data_and_users(db, development):
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


def test_loading_twice_changes_nothing_and_says_so(db, development, capsys):
    call_command("load_demo")
    first = snapshot()
    capsys.readouterr()
    call_command("load_demo")
    assert snapshot() == first
    out = capsys.readouterr().out
    assert "periods: already loaded, left as it is" in out
    assert "users: already loaded, left as it is" in out
    assert "The demo data is already loaded; nothing changed" in out


def test_it_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match=r"DEBUG is off.*--allow-production"):
        call_command("load_demo", verbosity=0)
    assert not get_user_model().objects.exists()
    assert not Agency.objects.exists()


def test_with_allow_production_it_loads_even_with_debug_off(db, settings):
    settings.DEBUG = False
    call_command("load_demo", "--allow-production", verbosity=0)
    assert get_user_model().objects.filter(username="admin").exists()


def test_a_second_run_keeps_a_reopened_period_an_edited_update_and_a_new_password(db, development):
    call_command("load_demo", verbosity=0)
    User = get_user_model()
    director = User.objects.get(username="direktor")
    h1 = ReportingPeriod.objects.get(kind="H1")
    h1 = reopen_period(user=director, period=h1, reason="Rettelse i R1-3.")
    update = StatusUpdate.objects.filter(period=h1).select_related("activity").first()
    edited = save_status_update(
        user=director,
        activity=update.activity,
        period=h1,
        version=update.version,
        attainment="Rettet etter gjenåpning.",
        status=update.status,
    )
    ne = User.objects.get(username="ne")
    ne.set_password("et nytt og langt passord")
    ne.save()

    call_command("load_demo", verbosity=0)

    h1.refresh_from_db()
    assert (h1.state, h1.submitted_at, h1.submitted_by) == ("open", None, None)
    stored = StatusUpdate.objects.get(pk=update.pk)
    assert stored.attainment == "Rettet etter gjenåpning."
    assert stored.version == edited.version
    ne.refresh_from_db()
    assert ne.check_password("et nytt og langt passord")


def test_a_second_run_keeps_the_roles_an_administrator_changed(db, development):
    call_command("load_demo", verbosity=0)
    User = get_user_model()
    komm = User.objects.get(username="komm")
    komm.groups.clear()
    call_command("load_demo", verbosity=0)
    assert not User.objects.get(username="komm").groups.exists()
