from django.urls import reverse


def test_the_interface_is_norwegian_by_default(client_for):
    html = client_for("ne").get(reverse("home")).text
    assert "<h1>Oversikt</h1>" in html
    assert "Logg ut" in html


def test_it_switches_to_english_and_back(client_for):
    client = client_for("ne")
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    html = client.get(reverse("home")).text
    assert '<html lang="en">' in html
    assert "<h1>Overview</h1>" in html
    client.post(reverse("set_language"), {"language": "nb", "next": reverse("home")})
    assert "<h1>Oversikt</h1>" in client.get(reverse("home")).text


def test_figures_stay_norwegian_in_english(client_for):
    client = client_for("ne")
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert "30.06.2006" in client.get(reverse("home")).text


def test_an_english_browser_still_gets_norwegian_until_it_switches(client_for):
    client = client_for("ne")
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").text
    assert "<h1>Oversikt</h1>" in html
