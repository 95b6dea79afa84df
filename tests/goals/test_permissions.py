"""What each role may do in the goals app."""

import pytest

from imdi_reporting.roles import Role, permissions_for


def codenames(role: str) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissions_for(role)}


def test_a_ministry_reader_comments_but_edits_nothing(db):
    perms = codenames(Role.MINISTRY_READER)
    assert "goals.add_feedback" in perms
    assert "goals.change_statusupdate" not in perms
    assert "goals.approve_statusupdate" not in perms


def test_a_unit_editor_writes_answers_but_does_not_approve(db):
    perms = codenames(Role.UNIT_EDITOR)
    assert {
        "goals.add_statusupdate",
        "goals.change_statusupdate",
        "goals.change_requirementnarrative",
        "goals.change_indicatorvalue",
        "goals.reply_feedback",
    } <= perms
    assert "goals.approve_statusupdate" not in perms
    assert "goals.add_feedback" not in perms
    assert "goals.change_resultrequirement" not in perms


def test_an_approver_also_approves(db):
    perms = codenames(Role.APPROVER)
    assert {"goals.approve_statusupdate", "goals.change_statusupdate"} <= perms


@pytest.mark.parametrize(
    ("username", "url_name", "status"),
    [
        ("aid", "goals:my-requirements", 403),
        ("ne", "goals:my-requirements", 200),
        ("ne", "goals:requirement-list", 200),
        ("aid", "goals:requirement-list", 200),
    ],
)
def test_who_opens_which_page(content, client_for, username, url_name, status):
    from django.urls import reverse

    assert client_for(username).get(reverse(url_name)).status_code == status


def test_anonymous_users_are_sent_to_the_login(client, db):
    from django.urls import reverse

    response = client.get(reverse("goals:requirement-list"))
    assert response.status_code == 302
    assert "logg-inn" in response.url
