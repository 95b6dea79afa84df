from django.core.management import call_command
from django.urls import reverse

from imdi_reporting.models import ApiToken
from imdi_reporting.services import hash_api_key


def test_it_requires_authentication_everywhere(client, organisation):
    assert client.get("/api/").status_code == 401
    response = client.get("/api/goals/periods/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_the_root_links_each_app_and_the_schema(client_for):
    data = client_for("ne").get("/api/").json()
    assert data["goals"].endswith("/api/goals/")
    assert data["schema"].endswith("/api/schema/")
    assert data["docs"].endswith("/api/docs/")


def test_a_ministry_reader_sees_submitted_periods_only(client_for):
    data = client_for("aid").get("/api/goals/periods/").json()
    assert [p["slug"] for p in data["results"]] == ["IMDi-2006-H1"]
    assert data["results"][0]["state"] == "locked"
    assert data["results"][0]["submitted_by"] == "direktor"


def test_directorate_users_see_the_open_period_too(client_for):
    data = client_for("ne").get("/api/goals/periods/?year=2006").json()
    assert [p["slug"] for p in data["results"]] == ["IMDi-2006-H1", "IMDi-2006"]


def test_it_filters_periods_by_kind(client_for):
    data = client_for("direktor").get("/api/goals/periods/?kind=Y").json()
    assert [p["slug"] for p in data["results"]] == ["IMDi-2006"]


def test_the_period_list_runs_a_bounded_number_of_queries(client_for, django_assert_num_queries):
    client = client_for("direktor")
    # 1 session, 2 user, 3-4 user and group permissions, 5 profile, 6 count, 7 page of
    # periods with year, agency and submitter
    with django_assert_num_queries(7):
        client.get("/api/goals/periods/")


def test_it_accepts_a_token_created_by_the_command(client, demo_user, capsys):
    call_command("create_api_token", "aid")
    key = capsys.readouterr().out.strip()
    assert ApiToken.objects.get(user=demo_user("aid")).key_hash == hash_api_key(key)
    response = client.get("/api/goals/periods/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_the_schema_and_the_docs_are_served_without_a_cdn(client_for):
    client = client_for("ne")
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert b"/api/goals/periods/" in schema.content
    docs = client.get(reverse("api-docs")).text
    assert "cdn" not in docs.lower()
    assert "<style" not in docs
