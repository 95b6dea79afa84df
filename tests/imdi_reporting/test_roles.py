import pytest
from django.contrib.auth.models import Group

from goals.models import UserProfile
from imdi_reporting.roles import Role, permissions_for, roles_of


def codenames(role: str) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissions_for(role)}


def test_it_creates_a_group_for_every_role(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_the_groups_hold_the_listed_permissions(db):
    for role in Role.values:
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == codenames(role)


def test_a_ministry_reader_reads_but_cannot_see_drafts_or_submit(db):
    perms = codenames(Role.MINISTRY_READER)
    assert "goals.view_reportingperiod" in perms
    assert "goals.view_draft_period" not in perms
    assert "goals.submit_period" not in perms
    assert "goals.change_reportingperiod" not in perms


def test_a_unit_editor_sees_drafts_but_cannot_submit(db):
    perms = codenames(Role.UNIT_EDITOR)
    assert "goals.view_draft_period" in perms
    assert "goals.submit_period" not in perms
    assert "goals.reopen_period" not in perms


def test_an_approver_submits_and_reopens(db):
    perms = codenames(Role.APPROVER)
    assert {"goals.submit_period", "goals.reopen_period", "goals.view_draft_period"} <= perms


def test_an_administrator_holds_every_domain_permission(db):
    perms = codenames(Role.ADMINISTRATOR)
    assert {"goals.add_reportingperiod", "goals.delete_agency", "auth.change_user"} <= perms


@pytest.mark.parametrize(
    ("username", "role", "unit"),
    [
        ("aid", Role.MINISTRY_READER, None),
        ("ne", Role.UNIT_EDITOR, "NE"),
        ("vest", Role.UNIT_EDITOR, "VEST"),
        ("paks", Role.UNIT_EDITOR, "PAKS"),
        ("adm", Role.UNIT_EDITOR, "ADM"),
        ("komm", Role.UNIT_EDITOR, "KOMM"),
        ("direktor", Role.APPROVER, None),
        ("admin", Role.ADMINISTRATOR, "ADM"),
    ],
)
def test_each_demo_user_has_its_role_and_place(demo_user, username, role, unit):
    user = demo_user(username)
    assert roles_of(user) == [role]
    profile = UserProfile.objects.select_related("unit", "agency", "ministry").get(user=user)
    assert (profile.unit.code if profile.unit else None) == unit
    if username == "aid":
        assert profile.ministry.code == "AID"
        assert profile.agency is None
    else:
        assert profile.agency.code == "IMDi"


def test_only_the_admin_user_is_a_superuser(demo_user):
    assert demo_user("admin").is_superuser
    assert demo_user("admin").is_staff
    assert not demo_user("direktor").is_superuser
    assert not demo_user("aid").is_staff
