import pytest

from goals.models import Activity, StatusUpdate
from goals.services import ConflictError, save_status_update


def save(user, period, version, text):
    return save_status_update(
        user=user,
        activity=Activity.objects.get(requirement__code="R1-3"),
        period=period,
        version=version,
        attainment=text,
        status="on_track",
    )


def test_a_stale_version_is_refused_and_carries_the_newer_text(content, demo_user, year_period):
    first = save(demo_user("ne"), year_period, 0, "Første tekst.")
    save(demo_user("direktor"), year_period, first.version, "Direktørens tekst.")
    with pytest.raises(ConflictError) as conflict:
        save(demo_user("ne"), year_period, first.version, "Min tekst.")
    assert conflict.value.current.attainment == "Direktørens tekst."
    assert "Direktør IMDi" in conflict.value.messages[0]
    assert StatusUpdate.objects.get(pk=first.pk).attainment == "Direktørens tekst."


def test_two_people_creating_the_same_update_conflict(content, demo_user, year_period):
    save(demo_user("ne"), year_period, 0, "Først.")
    with pytest.raises(ConflictError):
        save(demo_user("direktor"), year_period, 0, "Samtidig.")


def test_saving_with_the_current_version_succeeds(content, demo_user, year_period):
    first = save(demo_user("ne"), year_period, 0, "En.")
    second = save(demo_user("ne"), year_period, first.version, "To.")
    assert second.version == first.version + 1
