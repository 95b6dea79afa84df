"""Writes through the API follow the pages' rules, because they call the same services:
the permission matrix (each role x each write), the period lock, optimistic concurrency
and the workflow of status updates."""

from goals.models import (
    Activity,
    Feedback,
    Indicator,
    IndicatorValue,
    RequirementNarrative,
    ResultRequirement,
    StatusUpdate,
)

ROLES = ("aid", "ne", "vest", "direktor", "admin")


def current_version(model, **lookup) -> int:
    obj = model.objects.filter(**lookup).first()
    return obj.version if obj else 0


def test_status_updates_by_role(goals_demo, api_for):
    # R1-1 answers to VEST (ANSV); 2006 is the open period.
    activity = Activity.objects.filter(requirement__code="R1-1").first()
    seen = {}
    for username in ROLES:
        body = {
            "activity": activity.pk,
            "period": "2006",
            "version": current_version(StatusUpdate, activity=activity, period__kind="Y"),
            "status": "on_track",
            "attainment": f"Skrevet av {username}",
        }
        response = api_for(username).post("/api/goals/status-updates/", body, format="json")
        seen[username] = response.status_code
        if username == "ne":
            assert "VEST" in response.json()["detail"]
        if username == "aid":
            assert response.json()["detail"] == "Your role may not change this."
    assert seen == {"aid": 403, "ne": 403, "vest": 201, "direktor": 200, "admin": 200}
    update = StatusUpdate.objects.get(activity=activity, period__kind="Y")
    assert (update.attainment, update.version, update.updated_by.username) == (
        "Skrevet av admin",
        3,
        "admin",
    )


def test_narratives_by_role(goals_demo, api_for):
    requirement = ResultRequirement.objects.get(code="R1-3")  # NE's
    seen = {}
    for username in ROLES:
        body = {
            "requirement": requirement.pk,
            "period": "2006",
            "version": current_version(
                RequirementNarrative, requirement=requirement, period__kind="Y"
            ),
            "status": f"Status fra {username}",
        }
        response = api_for(username).post("/api/goals/narratives/", body, format="json")
        seen[username] = response.status_code
    assert seen == {"aid": 403, "ne": 201, "vest": 403, "direktor": 200, "admin": 200}
    narrative = RequirementNarrative.objects.get(requirement=requirement, period__kind="Y")
    assert narrative.status == "Status fra admin"


def test_indicator_values_by_role(goals_demo, api_for):
    indicator = Indicator.objects.get(code="tolkeregister")  # under R2-7, NE's
    seen = {}
    for n, username in enumerate(ROLES):
        body = {
            "indicator": indicator.pk,
            "period": "2006",
            "version": current_version(IndicatorValue, indicator=indicator, period__kind="Y"),
            "value": f"{600 + n}",
            "measured_on": "2006-10-01",
        }
        response = api_for(username).post("/api/goals/indicator-values/", body, format="json")
        seen[username] = response.status_code
        if response.status_code < 300:
            assert response.json()["value"] == f"{600 + n}.00"
    assert seen == {"aid": 403, "ne": 201, "vest": 403, "direktor": 200, "admin": 200}


def test_feedback_comments_and_replies_by_role(goals_demo, api_for, demo_user):
    requirement = ResultRequirement.objects.get(code="R1-1")
    comment = {"requirement": requirement.pk, "period": "2006-H1", "text": "Hvorfor?"}
    seen = {
        username: api_for(username).post("/api/goals/feedback/", comment, format="json")
        for username in ROLES
    }
    assert {u: r.status_code for u, r in seen.items()} == {
        "aid": 201,
        "ne": 403,
        "vest": 403,
        "direktor": 403,
        "admin": 201,
    }
    parent = seen["aid"].json()
    assert parent["author"] == "aid"
    reply = {**comment, "text": "Fordi.", "parent": parent["id"]}
    replies = {
        username: api_for(username).post("/api/goals/feedback/", reply, format="json")
        for username in ROLES
    }
    assert {u: r.status_code for u, r in replies.items()} == {
        "aid": 403,
        "ne": 201,
        "vest": 201,
        "direktor": 201,
        "admin": 201,
    }
    assert Feedback.objects.filter(parent_id=parent["id"]).count() == 4


def test_a_ministry_reader_cannot_comment_on_an_open_period(goals_demo, api_for):
    requirement = ResultRequirement.objects.get(code="R1-1")
    body = {"requirement": requirement.pk, "period": "2006", "text": "Hei"}
    response = api_for("aid").post("/api/goals/feedback/", body, format="json")
    assert response.status_code == 400
    assert "period" in response.json()


def test_a_locked_period_is_refused_with_423_and_the_reason(goals_demo, api_for):
    update = StatusUpdate.objects.filter(
        period__kind="H1", activity__requirement__code="R1-1"
    ).first()
    body = {"version": update.version, "status": "achieved", "attainment": "Endret"}
    response = api_for("vest").put(f"/api/goals/status-updates/{update.pk}/", body, format="json")
    assert response.status_code == 423
    assert "2006-H1" in response.json()["detail"]
    assert "09.08.2006" in response.json()["detail"]
    created = api_for("direktor").post(
        "/api/goals/narratives/",
        {
            "requirement": update.activity.requirement_id,
            "period": "2006-H1",
            "version": 0,
            "status": "Ny",
        },
        format="json",
    )
    assert created.status_code == 423
    update.refresh_from_db()
    assert update.attainment != "Endret"


def test_a_stale_version_is_refused_with_409_and_the_newer_text(goals_demo, api_for):
    activity = Activity.objects.filter(requirement__code="R1-1").first()
    client = api_for("vest")
    first = client.post(
        "/api/goals/status-updates/",
        {
            "activity": activity.pk,
            "period": "2006",
            "version": 0,
            "status": "on_track",
            "attainment": "Første",
        },
        format="json",
    ).json()
    url = f"/api/goals/status-updates/{first['id']}/"
    body = {"version": first["version"], "status": "on_track", "attainment": "Andre"}
    assert api_for("direktor").put(url, body, format="json").status_code == 200
    stale = client.put(url, {**body, "attainment": "Tredje"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert stale.json()["current"]["attainment"] == "Andre"
    assert stale.json()["current"]["version"] == 2
    again = client.post(
        "/api/goals/status-updates/",
        {
            "activity": activity.pk,
            "period": "2006",
            "version": 0,
            "status": "on_track",
            "attainment": "Ny",
        },
        format="json",
    )
    assert again.status_code == 409


def test_the_workflow_of_a_status_update(goals_demo, api_for):
    activity = Activity.objects.filter(requirement__code="R1-1").first()
    created = (
        api_for("vest")
        .post(
            "/api/goals/status-updates/",
            {
                "activity": activity.pk,
                "period": "2006",
                "version": 0,
                "status": "deviation",
                "attainment": "Forsinket",
            },
            format="json",
        )
        .json()
    )
    url = f"/api/goals/status-updates/{created['id']}"
    assert api_for("ne").post(f"{url}/ready/").status_code == 403
    assert api_for("vest").post(f"{url}/ready/").json()["state"] == "ready"
    assert api_for("vest").post(f"{url}/approve/").status_code == 403
    assert api_for("direktor").post(f"{url}/return/", {"reason": ""}).status_code == 400
    returned = api_for("direktor").post(f"{url}/return/", {"reason": "Mangler tall"}).json()
    assert (returned["state"], returned["return_reason"]) == ("returned", "Mangler tall")
    assert api_for("vest").post(f"{url}/ready/").json()["state"] == "ready"
    assert api_for("direktor").post(f"{url}/approve/").json()["state"] == "approved"
    assert api_for("aid").post(f"{url}/approve/").status_code == 403
