from django.urls import reverse

NEW = "Lang-og-uvanlig-2026"


def test_a_unit_editor_changes_their_password_and_stays_logged_in(client_for, demo_user):
    client = client_for("ne")
    page = client.get(reverse("password-change"))
    assert page.status_code == 200
    assert "<h1>Endre passord</h1>" in page.text
    assert 'for="id_old_password"' in page.text
    response = client.post(
        reverse("password-change"),
        {"old_password": "demo", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password-change-done")
    user = demo_user("ne")
    assert user.check_password(NEW)
    assert not user.check_password("demo")
    done = client.get(response["Location"])
    assert "<h1>Passordet er endret</h1>" in done.text
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_old_password_changes_nothing(client_for, demo_user):
    response = client_for("vest").post(
        reverse("password-change"),
        {"old_password": "feil", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    assert demo_user("vest").check_password("demo")


def test_a_weak_new_password_is_refused(client_for, demo_user):
    response = client_for("ne").post(
        reverse("password-change"),
        {"old_password": "demo", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert demo_user("ne").check_password("demo")


def test_the_header_links_to_password_change_and_api_keys_when_logged_in(client, client_for):
    assert reverse("password-change") not in client.get(reverse("login")).text
    html = client_for("aid").get(reverse("home")).text
    assert f'href="{reverse("password-change")}">Endre passord</a>' in html
    assert f'href="{reverse("api-tokens")}">API-nøkler</a>' in html


def test_the_page_needs_a_login(client, organisation):
    response = client.get(reverse("password-change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
