import re

from django.urls import reverse


def test_a_ministry_reader_sees_only_submitted_periods(client_for):
    response = client_for("aid").get(reverse("home"))
    slugs = [period.slug for period in response.context["periods"]]
    assert slugs == ["IMDi-2006-H1"]


def test_directorate_users_also_see_the_open_period(client_for):
    response = client_for("ne").get(reverse("home"))
    slugs = [period.slug for period in response.context["periods"]]
    assert slugs == ["IMDi-2006", "IMDi-2006-H1"]
    assert "30.06.2006" in response.text
    assert "Låst" in response.text and "Åpen" in response.text


def test_the_start_page_runs_a_bounded_number_of_queries(client_for, django_assert_num_queries):
    client = client_for("direktor")
    # 1 session, 2 user, 3-4 user and group permissions, 5 profile with ministry, agency
    # and unit, 6 periods with year, agency and submitter; the overview of the newest
    # period: 7 the agency's cache generation, 8 main goals, 9 units, 10 requirements
    # (with none, neither their statuses nor a page of them is read); the budget
    # overview: 11 generation, 12 the sums per expense post (none: no post is read);
    # 13 group names for the role label; the approver's work list, counted by the
    # database: 14 the open period's form rows, 15 its updates and the returned ones, 16 the
    # ready ones per unit (the units and the returned updates are read only when there are
    # any), 17 comments awaiting a reply.
    # test_overview pins the count with the full 2006 data.
    with django_assert_num_queries(17):
        client.get(reverse("home"))
    # Again with the roll-ups cached: the reads of the overview and of the budget are gone.
    with django_assert_num_queries(13):
        client.get(reverse("home"))


def test_pages_carry_a_strict_content_security_policy(client_for):
    response = client_for("ne").get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert not re.search(r"<style|\sstyle=", response.text)


def test_the_layout_has_landmarks_and_a_skip_link(client_for):
    html = client_for("ne").get(reverse("home")).text
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<nav class="site-nav" aria-label="Hovedmeny">' in html
    assert '<html lang="nb">' in html
