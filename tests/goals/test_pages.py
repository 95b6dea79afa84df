"""The goals pages: content, permissions, and a bounded number of queries."""

from django.urls import reverse

from goals.locking import allow_locked_period_writes
from goals.models import Activity, Feedback, ResultRequirement, StatusUpdate
from goals.services import save_status_update


def test_the_requirement_list_groups_by_main_goal(content, client_for):
    page = client_for("ne").get(reverse("goals:requirement-list") + "?periode=2006-H1")
    assert page.status_code == 200
    assert "HM1" in page.text
    assert "R1-1" in page.text
    assert "VEST" in page.text
    assert "Avvik" in page.text  # R1-1's row has a deviation, shown as text


def test_the_requirement_list_runs_a_bounded_number_of_queries(
    content, client_for, django_assert_num_queries
):
    client = client_for("ne")
    url = reverse("goals:requirement-list") + "?periode=2006-H1"
    # session, user, user permissions and group permissions, profile, visible periods,
    # the count of requirements, the page's requirements (with goal and unit), their
    # activities, their updates in the period, priority area, other-reporting topics.
    with django_assert_num_queries(12):
        client.get(url)


def copy_requirements(times: int) -> None:
    """times copies of every requirement, each with copies of its activities and updates
    (into the locked half year, as the fixture loader writes)."""
    with allow_locked_period_writes():
        for n in range(1, times + 1):
            _copy_requirements(n)


def _copy_requirements(n: int) -> None:
    for requirement in list(ResultRequirement.objects.filter(code__regex=r"^R[0-9-]+$")):
        activities = list(Activity.objects.filter(requirement=requirement))
        requirement.pk = None
        requirement.code = f"{requirement.code}-x{n}"
        requirement.save()
        for activity in activities:
            updates = list(StatusUpdate.objects.filter(activity=activity))
            activity.pk = None
            activity.requirement = requirement
            activity.position += 1000 * n
            activity.save()
            for update in updates:
                update.pk = None
                update.activity = activity
                update.save()


def test_the_requirement_list_is_paged_and_its_queries_do_not_grow_with_the_rows(
    content, client_for, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("goals.paging.PAGE_SIZE", 5)
    client = client_for("ne")
    url = reverse("goals:requirement-list") + "?periode=2006-H1"
    with django_assert_num_queries(12):  # as above
        client.get(url)
    copy_requirements(6)
    total = ResultRequirement.objects.filter(main_goal__budget_year__year=2006).count()
    assert total > 10
    with django_assert_num_queries(12):
        page = client.get(url + "&side=2")
    assert page.context["pager"].page.paginator.count == total
    assert len([row for g in page.context["groups"] for row in g["rows"]]) == 5
    assert "?periode=2006-H1" in page.text  # the links to pages 1 and 3 keep the period
    assert 'href="?periode=2006-H1&amp;side=3"' in page.text
    assert f"Side 2 av {(total + 4) // 5}" in page.text


def test_a_ministry_reader_sees_submitted_periods_only(content, client_for):
    client = client_for("aid")
    assert (
        client.get(reverse("goals:requirement-detail", args=["2006-H1", "R1-3"])).status_code == 200
    )
    assert client.get(reverse("goals:requirement-detail", args=["2006", "R1-3"])).status_code == 404
    page = client.get(reverse("goals:requirement-list"))
    assert "2006-H1" in page.text
    assert 'value="2006"' not in page.text


def test_the_requirement_page_shows_everything(content, client_for):
    page = client_for("aid").get(reverse("goals:requirement-detail", args=["2006-H1", "R1-3"]))
    text = page.text
    assert "IMDi skal bidra til at kommuner har kunnskap om intro-loven." in text
    assert "NE" in text
    assert "01.06.2006" in text  # deliverable
    assert "Konferanser i alle regioner." in text  # narrative
    assert "Informasjon om intro-loven" in text  # activity
    assert "Tolker oppført i Nasjonalt tolkeregister" in text
    assert "440" in text


def test_the_requirement_page_computes_table_totals_and_shares(content, client_for):
    page = client_for("aid").get(reverse("goals:requirement-detail", args=["2006-H1", "R1-1"]))
    assert page.status_code == 200
    # Tab. 1 hangs under HM1-S2, not under a requirement: not on R1-1's page.
    assert "Tab. 1" not in page.text


def test_the_requirement_page_runs_a_bounded_number_of_queries(
    content, client_for, django_assert_num_queries
):
    client = client_for("ne")
    url = reverse("goals:requirement-detail", args=["2006-H1", "R1-3"])
    client.get(url)
    # session, user, user and group permissions (2), profile, period; requirement,
    # deliverables, special reporting, their answers, previous period, activities, updates,
    # indicators, indicator values, tables, table rows, narrative, feedback, history; the
    # consistency check's activities, updates, deliverables and indicator values (4).
    # Feedback replies are prefetched only when there is feedback.
    with django_assert_num_queries(22):
        client.get(url)


def test_the_ministry_comments_and_the_directorate_replies(content, client_for):
    url = reverse("goals:feedback", args=["2006-H1", "R1-3"])
    client_for("aid").post(url, {"text": "Hvorfor så få?"})
    comment = Feedback.objects.get()
    client = client_for("ne")
    client.post(url, {"text": "Fordi.", "parent": comment.pk})
    assert comment.replies.get().text == "Fordi."
    page = client.get(reverse("goals:requirement-detail", args=["2006-H1", "R1-3"]))
    assert "Hvorfor så få?" in page.text
    assert "Fordi." in page.text


def test_my_requirements_lists_the_unit_s_requirements(content, client_for):
    page = client_for("ne").get(reverse("goals:my-requirements"))
    assert page.status_code == 200
    assert "R1-3" in page.text
    assert "R1-1" not in page.text
    assert "Gjennomført." in page.text  # the previous period's (2006-H1) text
    assert "01.06.2006" in page.text


def test_my_requirements_runs_a_bounded_number_of_queries(
    content, client_for, django_assert_num_queries
):
    client = client_for("ne")
    url = reverse("goals:my-requirements")
    client.get(url)
    # session, user, user and group permissions (2), profile with its unit, open period,
    # requirements, deliverables, previous period, activities, updates.
    with django_assert_num_queries(11):
        client.get(url)


def test_the_edit_form_saves_a_draft(content, client_for, year_period):
    client = client_for("ne")
    url = reverse("goals:edit-status-update", args=["2006", 3])
    page = client.get(url)
    assert page.status_code == 200
    assert "Gjennomført." in page.text  # previous period beside the form
    response = client.post(
        url, {"attainment": "Ny tekst.", "status": "on_track", "version": 0}, follow=True
    )
    assert response.status_code == 200
    assert StatusUpdate.objects.get(period=year_period, activity__position=3).attainment == (
        "Ny tekst."
    )


def test_the_edit_form_refuses_another_unit(content, client_for, year_period):
    response = client_for("ne").post(
        reverse("goals:edit-status-update", args=["2006", 2]),
        {"attainment": "Ikke min.", "status": "on_track", "version": 0},
    )
    assert response.status_code == 403
    assert "VEST" in response.text
    assert not StatusUpdate.objects.filter(period=year_period).exists()


def test_the_edit_form_shows_the_newer_text_on_conflict(
    content, client_for, demo_user, year_period
):
    save_status_update(
        user=demo_user("direktor"),
        activity=Activity.objects.get(position=3),
        period=year_period,
        version=0,
        attainment="Direktørens tekst.",
        status="achieved",
    )
    response = client_for("ne").post(
        reverse("goals:edit-status-update", args=["2006", 3]),
        {"attainment": "Min tekst.", "status": "on_track", "version": 0},
    )
    assert response.status_code == 409
    assert "Direktørens tekst." in response.text
    assert "Min tekst." in response.text  # the editor's own text is kept in the form
    assert StatusUpdate.objects.get(period=year_period).attainment == "Direktørens tekst."


def test_the_edit_form_refuses_the_locked_period_and_says_why(content, client_for, h1):
    client = client_for("ne")
    url = reverse("goals:edit-status-update", args=["2006-H1", 3])
    page = client.get(url)
    assert "Direktør IMDi" in page.text
    assert "<textarea" not in page.text
    response = client.post(url, {"attainment": "Endret.", "status": "on_track", "version": 1})
    assert response.status_code == 409
    assert "09.08.2006" in response.text
    assert StatusUpdate.objects.get(period=h1, activity__position=3).attainment == "Gjennomført."


def test_the_approver_returns_approves_submits_and_reopens(
    content, client_for, demo_user, year_period
):
    editor = client_for("ne")
    editor.post(
        reverse("goals:edit-status-update", args=["2006", 3]),
        {"attainment": "Tekst.", "status": "on_track", "version": 0},
    )
    editor.post(reverse("goals:mark-ready", args=["2006", 3]))
    update = StatusUpdate.objects.get(period=year_period)
    assert update.state == "ready"
    client = client_for("direktor")
    url = reverse("goals:approval", args=["2006"])
    page = client.get(url)
    assert page.status_code == 200
    assert "Tekst." in page.text
    client.post(url, {"action": "return", "update": update.pk, "reason": "Mer tall."})
    update.refresh_from_db()
    assert (update.state, update.return_reason) == ("returned", "Mer tall.")
    editor.post(reverse("goals:mark-ready", args=["2006", 3]))
    client.post(url, {"action": "approve", "update": update.pk})
    update.refresh_from_db()
    assert update.state == "approved"
    # The other rows are unanswered: submitting them as they are needs a reason.
    client.post(url, {"action": "submit"})
    year_period.refresh_from_db()
    assert year_period.state == "open"
    client.post(url, {"action": "submit", "reason": "Resten kommer i årsrapporten."})
    year_period.refresh_from_db()
    assert year_period.state == "submitted"
    client.post(url, {"action": "reopen", "reason": ""})
    year_period.refresh_from_db()
    assert year_period.state == "submitted"
    client.post(url, {"action": "reopen", "reason": "Rettelse."})
    year_period.refresh_from_db()
    assert year_period.state == "open"


def test_the_approval_page_runs_a_bounded_number_of_queries(
    content, client_for, django_assert_num_queries
):
    client = client_for("direktor")
    url = reverse("goals:approval", args=["2006-H1"])
    client.get(url)
    # session, user, user and group permissions (2), profile, period, activities (with
    # their units), the period's updates, period events, the period's change history
    # (with the users, at most 200 rows); the consistency check's requirements,
    # activities, updates, deliverables and indicator values (5).
    with django_assert_num_queries(15):
        client.get(url)


def test_an_editor_cannot_open_the_approval_page(content, client_for):
    assert client_for("ne").get(reverse("goals:approval", args=["2006"])).status_code == 403


def test_the_main_goal_page_shows_its_special_reporting_and_table(content, client_for):
    page = client_for("aid").get(reverse("goals:requirement-detail", args=["2006-H1", "HM1"]))
    assert page.status_code == 200
    text = page.text
    assert "HM1-S2" in text
    assert "Se Tab. 1." in text
    assert "Tab. 1" in text
    assert "7 182" in text  # computed total of 4664 + 2518
    assert "64,9\u00a0%" in text  # computed share of women in the first row


def test_the_priority_area_and_other_topic_pages(content, client_for):
    client = client_for("aid")
    page = client.get(reverse("goals:requirement-detail", args=["2006-H1", "satsing"]))
    assert "Prosa om satsingsområdet." in page.text
    assert "Intro 2år" in page.text
    page = client.get(reverse("goals:requirement-detail", args=["2006-H1", "malloven"]))
    assert "Det er ikke foretatt registrering av nynorskandel" in page.text
    assert "6,1" in page.text


def test_the_main_goal_page_runs_a_bounded_number_of_queries(
    content, client_for, django_assert_num_queries
):
    client = client_for("aid")
    url = reverse("goals:requirement-detail", args=["IMDi-2006-H1", "HM1"])
    client.get(url)
    # session, user, permissions (2), profile, period; requirement (none), main goal,
    # its special reporting, their answers, previous period, activities, updates,
    # indicators, tables, table rows; the ministry's agencies with the settlement module
    # (the menu).
    with django_assert_num_queries(16):
        client.get(url)


def test_the_narrative_form_saves_and_handles_conflicts(content, client_for, year_period):
    from goals.models import RequirementNarrative

    url = reverse("goals:edit-narrative", args=["2006", "R1-3"])
    client = client_for("ne")
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "Første.", "version": 0})
    assert response.status_code == 302
    stale = client_for("direktor").post(url, {"status": "Andre.", "version": 0})
    assert stale.status_code == 409
    assert "Første." in stale.text
    assert RequirementNarrative.objects.get(period=year_period).status == "Første."


def test_the_narrative_form_refuses_another_unit_and_the_locked_period(content, client_for, h1):
    from goals.models import RequirementNarrative

    vest = client_for("vest")
    assert (
        vest.post(
            reverse("goals:edit-narrative", args=["2006", "R1-3"]), {"status": "x", "version": 0}
        ).status_code
        == 403
    )
    locked = client_for("ne").post(
        reverse("goals:edit-narrative", args=["2006-H1", "R1-3"]), {"status": "x", "version": 1}
    )
    assert locked.status_code == 409
    assert RequirementNarrative.objects.get(period=h1, requirement__code="R1-3").status == (
        "Kommunene har fått informasjon.\n"
    )
