from budget.models import Post
from budget.selectors import period_controls, post_figures
from goals.models import ReportingPeriod


def test_posts_carry_the_computed_figures_as_strings(budget_demo, api_for):
    data = api_for("aid").get("/api/budget/posts/?period=2006-H1&chapter=0650").json()
    post = data["results"][0]
    assert post["code"] == "0650.01"
    # The 2006 report, part VI: chapter 650 post 01 at 30.6.2006.
    assert post["appropriation"] == "79183000"
    assert post["accounts"] == "33055761"
    assert post["remaining"] == "46127239"
    assert post["spent_share"] == "0.4175"
    # IMDi counts whole months: 79 183 000 x 6/12, against accounts of 33 055 761.
    assert post["linear_expected"] == "39591500"
    assert post["deviation_from_linear"] == "-6535739"
    assert (post["linear_basis"], post["linear_basis_label"]) == ("months", "Hele måneder gått")


def test_every_post_matches_the_selectors(budget_demo, api_for):
    period = ReportingPeriod.objects.get(kind="H1")
    expected = {
        f.post.code: f.remaining
        for f in post_figures(period=period, posts=list(Post.objects.select_related("chapter")))
    }
    data = api_for("ne").get("/api/budget/posts/?period=2006-H1&limit=100").json()
    assert data["count"] == len(expected)
    shown = {p["code"]: p["remaining"] for p in data["results"]}
    assert shown == {code: None if v is None else str(v) for code, v in expected.items()}


def test_year_and_date_choose_the_latest_period_ending_by_the_date(budget_demo, api_for):
    client = api_for("ne")
    by_date = client.get(f"/api/budget/posts/{Post.objects.first().pk}/")
    assert by_date.status_code == 200
    mid_year = client.get("/api/budget/posts/?year=2006&date=2006-07-01&chapter=0650").json()
    assert mid_year["results"][0]["accounts"] == "33055761"
    assert client.get("/api/budget/posts/?date=2005-12-31").status_code == 404
    assert client.get("/api/budget/posts/?date=soon").status_code == 400


def test_a_ministry_reader_cannot_ask_for_the_open_period(budget_demo, api_for):
    assert api_for("aid").get("/api/budget/posts/?period=2006").status_code == 404
    assert api_for("ne").get("/api/budget/posts/?period=2006").status_code == 200


def test_sub_post_lines_show_reported_and_computed_amounts(budget_demo, api_for):
    data = api_for("ne").get("/api/budget/sub-post-lines/?post=0651.60&subpost=6010").json()
    line = data["results"][0]
    assert line["persons"] == 485
    assert line["rate"] == "130000"
    assert line["amount"] == "62985000"
    assert line["computed_amount"] == "63050000"


def test_the_control_list_is_for_the_directorate(budget_demo, api_for):
    period = ReportingPeriod.objects.get(kind="H1")
    expected = [c.where for c in period_controls(period=period)]
    data = api_for("direktor").get("/api/budget/controls/?period=2006-H1").json()
    assert [c["where"] for c in data] == expected
    response = api_for("aid").get("/api/budget/controls/?period=2006-H1")
    assert response.status_code == 403
    assert response.json()["detail"] == "The control list is for the directorate only."
