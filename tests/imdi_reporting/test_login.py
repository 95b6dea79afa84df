import pytest
from django.urls import reverse

DEMO_USERNAMES = ["aid", "ne", "vest", "paks", "adm", "komm", "direktor", "admin"]


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_it_logs_in_every_demo_user_with_the_demo_password(client, organisation, username):
    response = client.post(reverse("login"), {"username": username, "password": "demo"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).context["user"].username == username


def test_it_refuses_a_wrong_password(client, organisation):
    response = client.post(reverse("login"), {"username": "ne", "password": "wrong"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert response.context["form"].non_field_errors()


def test_it_sends_anonymous_visitors_to_the_login_page(client, organisation):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_logs_out_with_a_post(client_for):
    client = client_for("ne")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
