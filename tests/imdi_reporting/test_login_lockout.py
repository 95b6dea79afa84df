"""Login throttling with django-axes: a username from one address is locked after
LOGIN_FAILURE_LIMIT wrong passwords, on the site's login page and the admin's alike."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.urls import reverse

from tests.imdi_reporting.test_production_settings import setting

LOGIN = "/logg-inn/"
ADMIN_LOGIN = "/admin/login/"


def fail(client, username: str, times: int, *, path: str = LOGIN, **extra):
    for _ in range(times):
        response = client.post(path, {"username": username, "password": "feil"}, **extra)
        assert response.status_code == 200, "a failure below the limit shows the form again"


def lock_out(client, username: str, *, path: str = LOGIN, **extra):
    """Four wrong passwords show the form again; the fifth locks the login."""
    fail(client, username, 4, path=path, **extra)
    response = client.post(path, {"username": username, "password": "feil"}, **extra)
    assert response.status_code == 429


def test_it_locks_a_username_after_five_failures_even_with_the_right_password(client, organisation):
    lock_out(client, "ne")
    response = client.post(LOGIN, {"username": "ne", "password": "demo"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_four_failures_still_let_the_right_password_in(client, organisation):
    fail(client, "ne", 4)
    response = client.post(LOGIN, {"username": "ne", "password": "demo"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_successful_login_starts_the_count_again(client, organisation):
    fail(client, "ne", 4)
    client.post(LOGIN, {"username": "ne", "password": "demo"})
    client.post(reverse("logout"))
    fail(client, "ne", 4)
    assert client.post(LOGIN, {"username": "ne", "password": "demo"}).status_code == 302


def test_the_lockout_page_is_a_norwegian_page_in_the_sites_layout(client, organisation):
    lock_out(client, "ne")
    response = client.post(LOGIN, {"username": "ne", "password": "demo"})
    html = response.text
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="nb">' in html
    assert 'class="site-header"' in html
    assert "<h1>Innlogging sperret</h1>" in html
    assert "mislyktes 5 ganger" in html
    assert "de neste 15 minuttene, heller ikke med riktig passord" in html
    assert f'href="{LOGIN}"' in html


def test_failures_are_kept_as_an_audit_trail(client, organisation):
    lock_out(client, "ne")
    client.post(LOGIN, {"username": "ne", "password": "demo"})
    attempt = AccessAttempt.objects.get(username="ne")
    assert attempt.ip_address == "127.0.0.1"
    assert attempt.path_info == LOGIN
    assert attempt.failures_since_start == 6
    log = AccessFailureLog.objects.filter(username="ne").order_by("attempt_time", "pk")
    # Four failures, the fifth that locked, and the right password refused while locked.
    assert [entry.locked_out for entry in log] == [False] * 4 + [True, True]
    # The password tried is not kept.
    assert "feil" not in attempt.post_data


def test_other_usernames_from_the_same_address_are_not_locked(client, organisation):
    lock_out(client, "ne")
    assert client.post(LOGIN, {"username": "vest", "password": "demo"}).status_code == 302


def test_the_lock_lifts_after_fifteen_minutes(client, organisation):
    lock_out(client, "ne")
    earlier = AccessAttempt.objects.get(username="ne").attempt_time - timedelta(minutes=16)
    AccessAttempt.objects.filter(username="ne").update(attempt_time=earlier)
    assert client.post(LOGIN, {"username": "ne", "password": "demo"}).status_code == 302


def test_the_admin_login_is_locked_the_same_way(client, organisation):
    lock_out(client, "admin", path=ADMIN_LOGIN)
    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": "demo"})
    assert response.status_code == 429
    assert "Innlogging sperret" in response.text
    assert AccessAttempt.objects.get(username="admin").path_info == ADMIN_LOGIN


def test_behind_a_proxy_the_clients_address_is_taken_from_the_configured_header(
    client, organisation, settings
):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    lock_out(client, "ne", HTTP_X_REAL_IP="10.0.0.1")
    ok = client.post(LOGIN, {"username": "ne", "password": "demo"}, HTTP_X_REAL_IP="10.0.0.2")
    assert ok.status_code == 302
    assert AccessAttempt.objects.get(username="ne").ip_address == "10.0.0.1"


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, "5 900"), ({"LOGIN_FAILURE_LIMIT": "3", "LOGIN_LOCKOUT_MINUTES": "60"}, "3 3600")],
)
def test_the_limit_and_the_lockout_time_come_from_the_environment(env, expected):
    limits = "settings.AXES_FAILURE_LIMIT, int(settings.AXES_COOLOFF_TIME.total_seconds())"
    assert setting(limits, **env) == expected
