"""Probes: no request breaks or exhausts the service (issue 12, bounded input). Every bad
request gets a 4xx, the API answers JSON in every case, the database down included."""

import threading
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from rest_framework.test import APIClient

from budget.api.serializers import PostFiguresSerializer
from goals import forms as page_forms
from goals.api import writes
from goals.api.parsers import MAX_DEPTH, nesting_depth
from goals.models import (
    ANSWER_MAX_LENGTH,
    NARRATIVE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Activity,
    Feedback,
    RequirementNarrative,
    StatusUpdate,
)

STATUS_UPDATES = "/api/goals/status-updates/"


@pytest.fixture
def goals_demo(organisation):
    from goals.loaders import load_goals_demo
    from imdi_reporting.services import FIXTURES_DIR

    load_goals_demo(directory=FIXTURES_DIR / "goals")


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def new_update(activity: Activity, **values) -> dict:
    return {
        "activity": activity.pk,
        "period": "2006",
        "version": 0,
        "status": "on_track",
        "attainment": "",
        **values,
    }


def vest_activity() -> Activity:
    # R1-1 answers to VEST (ANSV); the year 2006 is the open period.
    return Activity.objects.filter(requirement__code="R1-1").order_by("position").first()


# --- nested JSON ----------------------------------------------------------------------------


def test_it_refuses_json_nested_ten_thousand_deep_with_400(goals_demo, demo_user):
    body = "[" * 10_000 + "]" * 10_000
    response = api_as(demo_user("vest")).post(STATUS_UPDATES, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]


def test_it_measures_nesting_outside_strings():
    assert nesting_depth('{"a": [1, {"b": "[[[[[[["}]}') == 3
    assert nesting_depth("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)) == MAX_DEPTH + 1


def test_it_refuses_a_json_body_above_the_memory_limit_with_a_json_400(
    goals_demo, demo_user, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = Client(raise_request_exception=False)
    client.force_login(demo_user("vest"))
    body = '{"attainment": "' + "x" * 20_000 + '"}'
    response = client.post(STATUS_UPDATES, body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_it_refuses_an_upload_above_the_maximum_size_with_413(db, settings):
    settings.MAX_UPLOAD_SIZE = 1000
    client = Client(raise_request_exception=False)
    page = client.post("/logg-inn/", {"username": "x" * 2000})
    assert page.status_code == 413
    api = client.post(STATUS_UPDATES, "x" * 2000, content_type="application/json")
    assert api.status_code == 413
    assert api.json()["detail"]


# --- text lengths, the same on every path ----------------------------------------------------

LIMITS = [
    (StatusUpdate, "attainment", ANSWER_MAX_LENGTH),
    (StatusUpdate, "deviation", ANSWER_MAX_LENGTH),
    (StatusUpdate, "measures_done", ANSWER_MAX_LENGTH),
    (StatusUpdate, "measures_planned", ANSWER_MAX_LENGTH),
    (StatusUpdate, "return_reason", REASON_MAX_LENGTH),
    (RequirementNarrative, "status", NARRATIVE_MAX_LENGTH),
    (RequirementNarrative, "measures_done", NARRATIVE_MAX_LENGTH),
    (RequirementNarrative, "next_priorities", NARRATIVE_MAX_LENGTH),
    (Feedback, "text", ANSWER_MAX_LENGTH),
]


@pytest.mark.parametrize(("model", "name", "limit"), LIMITS)
def test_it_holds_the_model_and_the_admin_to_the_limit(demo_user, rf, model, name, limit):
    field = model._meta.get_field(name)
    assert field.max_length == limit
    field.run_validators("x" * limit)
    with pytest.raises(ValidationError):
        field.run_validators("x" * (limit + 1))
    if model in admin_site._registry:
        request = rf.get("/admin/")
        request.user = demo_user("admin")
        form = admin_site._registry[model].get_form(request)
        if name in form.base_fields:
            assert form.base_fields[name].max_length == limit


@pytest.mark.parametrize(
    ("form", "name", "api_input", "api_name", "limit"),
    [
        (
            page_forms.StatusUpdateForm,
            "attainment",
            writes.StatusUpdateInput,
            "attainment",
            ANSWER_MAX_LENGTH,
        ),
        (
            page_forms.StatusUpdateForm,
            "measures_planned",
            writes.StatusUpdateInput,
            "measures_planned",
            ANSWER_MAX_LENGTH,
        ),
        (page_forms.NarrativeForm, "status", writes.NarrativeInput, "status", NARRATIVE_MAX_LENGTH),
        (page_forms.ReasonForm, "reason", writes.ReturnInput, "reason", REASON_MAX_LENGTH),
        (page_forms.FeedbackForm, "text", writes.FeedbackInput, "text", ANSWER_MAX_LENGTH),
    ],
)
def test_it_gives_the_page_form_and_the_api_the_same_limit(form, name, api_input, api_name, limit):
    assert form.base_fields[name].max_length == limit
    assert api_input().fields[api_name].max_length == limit


def test_it_refuses_two_million_characters_through_the_page(goals_demo, client_for):
    activity = vest_activity()
    url = f"/resultatkrav/IMDi-2006/aktivitet/{activity.position}/"
    response = client_for("vest").post(
        url, {"attainment": "x" * 2_000_000, "status": "on_track", "version": 0}
    )
    assert response.status_code in (200, 400)
    assert not StatusUpdate.objects.filter(activity=activity, period__kind="Y").exists()


def test_it_refuses_two_million_characters_through_the_api(goals_demo, demo_user):
    body = new_update(vest_activity(), attainment="x" * (ANSWER_MAX_LENGTH + 1))
    response = api_as(demo_user("vest")).post(STATUS_UPDATES, body, format="json")
    assert response.status_code == 400
    assert "attainment" in response.json()


# --- dates, decimals, races, the database ----------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"start": "9999-12-31", "end": "9999-12-31"},
        {"start": "2006-01-01", "end": "99999-01-01"},
    ],
)
def test_it_answers_an_absurd_settlement_period_with_a_form_error(organisation, client_for, query):
    from imdi_reporting.services import FIXTURES_DIR
    from settlement.loaders import load_settlement_demo

    load_settlement_demo(directory=FIXTURES_DIR / "settlement")
    response = client_for("direktor").get("/bosetting/", query)
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_it_answers_an_absurd_statistics_date_with_400(organisation, demo_user, day):
    response = api_as(demo_user("direktor")).get("/api/settlement/statistics/", {"date": day})
    assert response.status_code == 400
    assert "date" in response.json()


def test_it_writes_the_spent_share_of_a_tiny_appropriation():
    figures = SimpleNamespace(share_spent=Decimal("79183000") / Decimal("1"))
    field = PostFiguresSerializer().fields["spent_share"]
    assert field.to_representation(figures.share_spent) == "79183000.0000"


def test_it_answers_409_when_a_parallel_first_save_won(goals_demo, demo_user):
    # The moment two first saves meet in the database: the loser's insert fails.
    with mock.patch(
        "goals.api.views.save_status_update", side_effect=IntegrityError("duplicate key")
    ):
        response = api_as(demo_user("vest")).post(
            STATUS_UPDATES, new_update(vest_activity()), format="json"
        )
    assert response.status_code == 409
    assert response.json()["detail"]


def test_it_answers_409_to_the_second_of_two_first_saves(goals_demo, demo_user):
    client = api_as(demo_user("vest"))
    body = new_update(vest_activity(), attainment="Først")
    assert client.post(STATUS_UPDATES, body, format="json").status_code == 201
    second = client.post(STATUS_UPDATES, {**body, "attainment": "Andre"}, format="json")
    assert second.status_code == 409
    assert StatusUpdate.objects.get(activity=vest_activity(), period__kind="Y").attainment == (
        "Først"
    )


def test_it_answers_json_503_when_the_database_is_down(db):
    client = Client(raise_request_exception=False)
    down = OperationalError("the database is down")
    with (
        mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=down),
        mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=down),
    ):
        response = client.get(
            "/api/goals/periods/", headers={"Authorization": "Token abcdefgh12345678"}
        )
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


# --- a sweep of malformed requests: 4xx, never 500 --------------------------------------------

MALFORMED_GETS = [
    "/api/budget/posts/?year=99999",
    "/api/budget/posts/?year=2006&date=0001-01-01",
    "/api/budget/posts/?year=2006&date=9999-12-31",
    "/api/budget/posts/?limit=-1",
    "/api/budget/posts/?offset=999999999999999999999999",
    "/api/goals/periods/?year=99999999999999999999",
    "/api/goals/status-updates/99999999999999999999999/",
    "/api/settlement/statistics/?from=0001-01-01&date=2006-06-30",
    "/?period=IMDi-99999999999999999-H1",
    "/rapporter/IMDi-99999999999999999999-H1/",
    "/resultatkrav/IMDi-2006/aktivitet/99999999999999999999/",
    "/bosetting/?start=0001-01-01&end=9999-12-31",
]
MALFORMED_BODIES = [
    [],
    "x",
    None,
    {"activity": 99999999999999999999999, "period": "2006", "version": 0, "status": "on_track"},
    {"activity": 1, "period": "IMDi-99999999999999-H1", "version": 0, "status": "on_track"},
    {"activity": 1, "period": "2006", "version": 99999999999999999999, "status": "on_track"},
    {"indicator": 1, "period": "2006", "version": 0, "value": "9" * 40},
    {"indicator": 1, "period": "2006", "version": 0, "value": "NaN"},
    {"requirement": 1, "period": "2006", "text": "x", "parent": 99999999999999999999999},
]
WRITE_ENDPOINTS = [
    "/api/goals/status-updates/",
    "/api/goals/narratives/",
    "/api/goals/indicator-values/",
    "/api/goals/feedback/",
    "/api/goals/status-updates/1/return/",
]


@pytest.fixture
def everything(goals_demo):
    from budget.loaders import load_budget_demo
    from imdi_reporting.services import FIXTURES_DIR
    from settlement.loaders import load_settlement_demo

    load_budget_demo(directory=FIXTURES_DIR / "budget")
    load_settlement_demo(directory=FIXTURES_DIR / "settlement")


def test_it_answers_every_malformed_request_below_500(everything, demo_user):
    failures = []
    for username in ("aid", "vest", "direktor"):
        client = APIClient(raise_request_exception=False)
        client.force_login(demo_user(username))
        for url in MALFORMED_GETS:
            if client.get(url).status_code >= 500:
                failures.append((username, url))
        for url in WRITE_ENDPOINTS:
            for body in MALFORMED_BODIES:
                response = client.post(url, body, format="json")
                if response.status_code >= 500 or response["Content-Type"] != "application/json":
                    failures.append((username, url, body))
            raw = client.generic("POST", url, b"\xff\xfe{", content_type="application/json")
            if raw.status_code >= 500:
                failures.append((username, url, "bytes"))
    assert failures == []


@pytest.mark.django_db(transaction=True)
def test_it_gives_twenty_parallel_first_saves_one_201_and_the_rest_409(goals_demo, demo_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent sessions (PostgreSQL; CI runs the suite on it too)")
    user = demo_user("vest")
    body = new_update(vest_activity(), attainment="Parallell")
    barrier = threading.Barrier(20)
    codes = []

    def post():
        try:
            client = APIClient(raise_request_exception=False)
            client.force_authenticate(user)
            barrier.wait()
            codes.append(client.post(STATUS_UPDATES, body, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201] + [409] * 19
    assert StatusUpdate.objects.filter(activity=vest_activity(), period__kind="Y").count() == 1
