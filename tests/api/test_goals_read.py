import pytest

from goals.models import (
    Activity,
    Feedback,
    ReportingPeriod,
    RequirementNarrative,
    ResultRequirement,
    StatusUpdate,
)


def open_year(organisation) -> ReportingPeriod:
    return ReportingPeriod.objects.get(kind="Y", budget_year__year=2006)


def test_result_requirements_have_code_title_main_goal_and_unit(goals_demo, api_for):
    data = api_for("aid").get("/api/goals/result-requirements/?code=R1-1").json()
    (requirement,) = data["results"]
    assert requirement["code"] == "R1-1"
    assert requirement["main_goal"] == "HM1"
    assert requirement["responsible_unit"] == "VEST"
    assert requirement["year"] == 2006
    # The title stops at the first sentence, not at the abbreviation "mnd." inside it.
    assert requirement["title"] == (
        "Flyktninger skal være bosatt innen 6 mnd. etter at vedtak om opphold i Norge eller "
        "innreisetillatelse er gitt."
    )
    assert requirement["text"].startswith(requirement["title"] + " EM skal")


def test_requirements_filter_by_main_goal_and_unit(goals_demo, api_for):
    client = api_for("ne")
    by_goal = client.get("/api/goals/result-requirements/?main_goal=HM1&limit=100").json()
    assert {r["main_goal"] for r in by_goal["results"]} == {"HM1"}
    codes = [r["code"] for r in by_goal["results"]]
    assert codes[:3] == ["R1-1", "R1-2", "R1-3"]
    expected = ResultRequirement.objects.filter(
        main_goal__code="HM1", responsible_unit__code="NE"
    ).count()
    by_unit = client.get("/api/goals/result-requirements/?main_goal=HM1&unit=NE").json()
    assert by_unit["count"] == expected > 0
    assert {r["responsible_unit"] for r in by_unit["results"]} == {"NE"}


def test_activities_name_their_parent_and_unit(goals_demo, api_for):
    data = api_for("ne").get("/api/goals/activities/?requirement=R1-1").json()
    assert data["count"] == Activity.objects.filter(requirement__code="R1-1").count() > 0
    assert {a["responsible_unit"] for a in data["results"]} == {"VEST"}
    assert {a["parent"] for a in data["results"]} == {"requirement:R1-1"}


def test_indicators_carry_their_values(goals_demo, api_for):
    data = api_for("ne").get("/api/goals/indicators/?code=tolkeregister").json()
    (indicator,) = data["results"]
    assert indicator["target"] == "650.00"
    assert [(v["period"], v["value"]) for v in indicator["values"]] == [("IMDi-2006-H1", "440.00")]


def test_a_ministry_reader_sees_nothing_of_the_open_period(goals_demo, api_for, demo_user):
    period = open_year(None)
    activity = Activity.objects.filter(requirement__code="R1-1").first()
    StatusUpdate.objects.create(activity=activity, period=period, attainment="Utkast")
    requirement = ResultRequirement.objects.get(code="R1-1")
    RequirementNarrative.objects.create(requirement=requirement, period=period, status="Utkast")
    Feedback.objects.create(
        requirement=requirement, period=period, author=demo_user("aid"), text="Spørsmål"
    )
    for endpoint in ("status-updates", "narratives", "feedback"):
        url = f"/api/goals/{endpoint}/?period=2006"
        assert api_for("ne").get(url).json()["count"] == 1, endpoint
        assert api_for("aid").get(url).json()["count"] == 0, endpoint
    submitted = api_for("aid").get("/api/goals/status-updates/?period=2006-H1").json()
    assert submitted["count"] == StatusUpdate.objects.filter(period__kind="H1").count() > 0


def test_status_updates_filter_by_unit_and_state(goals_demo, api_for):
    data = api_for("ne").get("/api/goals/status-updates/?unit=VEST&limit=200").json()
    assert data["count"] > 0
    assert {u["responsible_unit"] for u in data["results"]} == {"VEST"}
    assert api_for("ne").get("/api/goals/status-updates/?state=returned").json()["count"] == 0


def test_periods_link_their_reports(organisation, api_for):
    data = api_for("aid").get("/api/goals/periods/").json()
    assert data["results"][0]["report"] == {
        "pdf": "/rapporter/IMDi-2006-H1.pdf",
        "html": "/rapporter/IMDi-2006-H1/",
    }


def test_a_malformed_period_key_or_an_empty_year_is_refused(goals_demo, api_for):
    client = api_for("ne")
    response = client.get("/api/goals/narratives/?period=nonsense")
    assert response.status_code == 400
    assert response.json() == {"period": "A period key such as ABC-2006-H1, ABC-2006 or 2006-H1."}
    assert client.get("/api/goals/narratives/?period=").status_code == 400
    assert client.get("/api/goals/activities/?year=").json() == {
        "year": "This parameter needs a value."
    }
    assert client.get("/api/goals/narratives/?period=2007-T1").json()["count"] == 0


def test_paging_refuses_a_malformed_limit(goals_demo, api_for):
    client = api_for("ne")
    assert client.get("/api/goals/activities/?limit=-1").status_code == 400
    assert client.get("/api/goals/activities/?offset=1.5").status_code == 400
    assert len(client.get("/api/goals/activities/?limit=2").json()["results"]) == 2


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_address_answers_in_json(goals_demo, api_for, settings, debug):
    # With DEBUG on, an address no pattern matches gets Django's HTML page, not the
    # site's handler404; the API's own catch-all has to match every address.
    settings.DEBUG = debug
    for address in (
        "/api/goals/activities/-1.5e-10/",
        "/api/goals/no-such-list/",
        "/api/goals/feedback/%C3%A4.c%0Ax%20y/",
    ):
        response = api_for("ne").get(address)
        assert response.status_code == 404
        assert response.json() == {"detail": "No such API address."}


def test_a_year_out_of_range_is_refused(goals_demo, api_for):
    response = api_for("ne").get("/api/goals/activities/?year=99999999999")
    assert response.status_code == 400
    assert "year" in response.json()


def test_lists_are_paginated_in_a_stable_order(goals_demo, api_for):
    client = api_for("ne")
    first = client.get("/api/goals/activities/?limit=5").json()
    second = client.get("/api/goals/activities/?limit=5&offset=5").json()
    positions = [a["position"] for a in first["results"] + second["results"]]
    assert positions == sorted(positions)
    assert len(set(positions)) == 10
