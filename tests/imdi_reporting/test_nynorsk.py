"""Nynorsk as a third language (språklova § 14): chosen with the switch, remembered per user."""

from django.test import Client
from django.urls import reverse

from goals.models import UserProfile


def choose(client, language: str) -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302


def test_it_shows_the_interface_in_nynorsk(client_for):
    client = client_for("ne")
    choose(client, "nn")
    html = client.get(reverse("home")).text
    assert '<html lang="nn">' in html
    assert "<h1>Oversyn</h1>" in html
    assert "Hovudmeny" in html


def test_figures_and_dates_keep_their_norwegian_form(client_for):
    client = client_for("ne")
    choose(client, "nn")
    assert "30.06.2006" in client.get(reverse("home")).text


def test_it_remembers_the_choice_for_the_user(client_for, demo_user):
    choose(client_for("ne"), "nn")
    assert UserProfile.objects.get(user__username="ne").language == "nn"
    # Another browser, without the language cookie, gets nynorsk once the user logs in.
    elsewhere = Client()
    elsewhere.force_login(demo_user("ne"))
    assert "<h1>Oversyn</h1>" in elsewhere.get(reverse("home")).text


def test_the_user_choice_comes_before_a_cookie_left_on_a_shared_machine(client_for, demo_user):
    choose(client_for("ne"), "nn")
    shared = Client()
    shared.cookies["django_language"] = "en"
    shared.force_login(demo_user("ne"))
    assert '<html lang="nn">' in shared.get(reverse("home")).text


def test_a_user_without_a_choice_gets_bokmal(client_for):
    assert "<h1>Oversikt</h1>" in client_for("vest").get(reverse("home")).text
    assert UserProfile.objects.get(user__username="vest").language == ""


def test_an_unknown_language_is_not_remembered(client_for):
    client = client_for("ne")
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert UserProfile.objects.get(user__username="ne").language == ""
    assert "<h1>Oversikt</h1>" in client.get(reverse("home")).text


def test_error_pages_follow_the_language(client_for):
    client = client_for("ne")
    choose(client, "nn")
    response = client.get("/finst-ikkje/")
    assert response.status_code == 404
    assert '<html lang="nn">' in response.text
    assert "Fann ikkje sida" in response.text
