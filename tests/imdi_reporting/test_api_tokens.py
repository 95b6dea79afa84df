"""API keys: hashed at rest, shown once, expiring, revocable by their owner only, never
listed; refused keys are throttled per address."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from imdi_reporting.models import ApiToken
from imdi_reporting.services import create_api_token, hash_api_key

PERIODS = "/api/goals/periods/"


@pytest.fixture(autouse=True)
def fresh_failure_counts():
    """The refused-key counts live in the cache, which outlives a test's database."""
    cache.clear()
    yield
    cache.clear()


def api_get(client, key: str, **extra):
    return client.get(PERIODS, HTTP_AUTHORIZATION=f"Token {key}", **extra)


def test_the_key_is_stored_only_as_its_sha256(demo_user):
    token, key = create_api_token(user=demo_user("ne"), name="Rapportskript")
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not [column for column, value in row.items() if key in str(value)]
    assert row["key_hash"] == hash_api_key(key)
    assert row["prefix"] == key[:8]
    assert len(key) >= 40


def test_a_key_authenticates_and_its_last_use_is_recorded(client, demo_user):
    token, key = create_api_token(user=demo_user("aid"), name="Uttrekk")
    assert token.last_used_at is None
    response = api_get(client, key)
    assert response.status_code == 200
    assert [p["slug"] for p in response.json()["results"]] == ["IMDi-2006-H1"]
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


def test_a_new_key_expires_after_ninety_days(demo_user):
    token, _key = create_api_token(user=demo_user("ne"), name="Skript")
    assert token.expires_at - token.created_at == pytest.approx(
        timedelta(days=90), abs=timedelta(seconds=5)
    )


def test_an_expired_key_is_refused_with_401(client, demo_user):
    token, key = create_api_token(user=demo_user("ne"), name="Gammel")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api_get(client, key)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"] == "Nøkkelen er utløpt."


def test_a_revoked_key_is_refused_with_401(client, client_for, demo_user):
    token, key = create_api_token(user=demo_user("ne"), name="Tilbakekalles")
    client_for("ne").post(reverse("api-token-revoke", args=[token.pk]))
    client.logout()
    response = api_get(client, key)
    assert response.status_code == 401
    assert response.json()["detail"] == "Nøkkelen er tilbakekalt."


def test_an_unknown_key_and_a_key_of_an_inactive_user_are_refused(client, demo_user):
    _token, key = create_api_token(user=demo_user("vest"), name="Skript")
    assert api_get(client, key[:-1] + ("A" if key[-1] != "A" else "B")).status_code == 401
    user = demo_user("vest")
    user.is_active = False
    user.save()
    assert api_get(client, key).status_code == 401


def test_too_many_refused_keys_from_one_address_get_429_even_with_a_good_key(client, demo_user):
    _token, key = create_api_token(user=demo_user("aid"), name="Skript")
    statuses = [api_get(client, f"feil-nokkel-{i}").status_code for i in range(20)]
    assert statuses == [401] * 20
    assert api_get(client, key).status_code == 429
    assert api_get(client, "feil-nokkel").status_code == 429
    # Another address is not affected.
    assert api_get(client, key, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_the_page_shows_a_new_key_once_with_a_warning(client_for):
    client = client_for("ne")
    response = client.post(reverse("api-tokens"), {"name": "Månedsuttrekk"})
    assert response.status_code == 200
    token = ApiToken.objects.get(name="Månedsuttrekk")
    key = response.context["new_key"]
    assert token.key_hash == hash_api_key(key)
    assert f'value="{key}"' in response.text
    assert "Den lagres ikke og vises ikke igjen." in response.text
    assert "no-store" in response["Cache-Control"]
    later = client.get(reverse("api-tokens"))
    assert key not in later.text
    assert "Månedsuttrekk" in later.text
    assert f"<code>{token.prefix}…</code>" in later.text


def test_the_list_shows_only_my_keys_by_name_prefix_and_dates(client_for, demo_user):
    mine, _key = create_api_token(user=demo_user("ne"), name="Min nøkkel")
    create_api_token(user=demo_user("vest"), name="Vest sin nøkkel")
    response = client_for("ne").get(reverse("api-tokens"))
    assert response.status_code == 200
    assert [t.name for t in response.context["tokens"]] == ["Min nøkkel"]
    html = response.text
    assert "<h1>API-nøkler</h1>" in html
    assert "Vest sin nøkkel" not in html
    assert mine.key_hash not in html
    assert timezone.localtime(mine.expires_at).strftime("%d.%m.%Y") in html
    assert "Aldri" in html  # never used


def test_a_key_needs_a_name(client_for):
    response = client_for("ne").post(reverse("api-tokens"), {"name": "  "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_a_key(client_for, demo_user):
    token, _key = create_api_token(user=demo_user("ne"), name="Skal bort")
    response = client_for("ne").post(reverse("api-token-revoke", args=[token.pk]), follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Nøkkelen «Skal bort» er tilbakekalt." in response.text
    assert "Tilbakekalt" in response.text


def test_another_user_cannot_revoke_my_key(client_for, demo_user):
    token, _key = create_api_token(user=demo_user("ne"), name="Min")
    response = client_for("vest").post(reverse("api-token-revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_pages_need_a_login(client, organisation):
    response = client.get(reverse("api-tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_admin_lists_keys_read_only_without_key_or_hash(client_for, demo_user):
    token, key = create_api_token(user=demo_user("ne"), name="Synlig i admin")
    client = client_for("admin")
    listing = client.get("/admin/imdi_reporting/apitoken/")
    assert listing.status_code == 200
    assert "Synlig i admin" in listing.text
    detail = client.get(f"/admin/imdi_reporting/apitoken/{token.pk}/change/")
    assert detail.status_code == 200
    for html in (listing.text, detail.text):
        assert key not in html
        assert token.key_hash not in html
    assert token.prefix in detail.text
    assert client.get("/admin/imdi_reporting/apitoken/add/").status_code == 403
    assert client.post(f"/admin/imdi_reporting/apitoken/{token.pk}/change/", {}).status_code == 403


def test_the_command_prints_only_a_new_key(client, demo_user, capsys):
    call_command("create_api_token", "aid")
    out = capsys.readouterr().out
    key = out.strip()
    assert out == key + "\n"
    token = ApiToken.objects.get(user=demo_user("aid"))
    assert token.key_hash == hash_api_key(key)
    assert api_get(client, key).status_code == 200


def test_the_command_rotates_by_revoking_the_older_keys(client, demo_user, capsys):
    call_command("create_api_token", "aid")
    old = capsys.readouterr().out.strip()
    call_command("create_api_token", "aid", "--rotate")
    new = capsys.readouterr().out.strip()
    assert api_get(client, old).status_code == 401
    assert api_get(client, new).status_code == 200


def test_the_schema_documents_the_token_scheme_and_the_429(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert 'prefix "Token"' in scheme["description"]
    assert schema["paths"]["/api/goals/periods/"]["get"]["security"][0] == {"tokenAuth": []}
    assert "429" in schema["paths"]["/api/goals/periods/"]["get"]["responses"]
