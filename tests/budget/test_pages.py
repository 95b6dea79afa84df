"""The budget pages: who may see them, what they show, and how many queries they run."""

import pytest
from django.urls import reverse

from budget.choices import ChapterKind
from budget.models import AccountsEntry, AllocationEntry, Chapter, Post
from budget.selectors import budget_overview, expense_totals
from goals.locking import allow_locked_period_writes
from goals.models import ReportingPeriod
from goals.services import bump_generation

H1 = "2006-H1"


@pytest.mark.django_db
def test_index_sends_to_the_latest_period_with_accounts(budget_2006, client_for):
    response = client_for("aid").get(reverse("budget:index"))
    assert response.status_code == 302
    assert response.url == reverse("budget:period", kwargs={"period": f"IMDi-{H1}"})


@pytest.mark.django_db
def test_the_index_needs_a_login(budget_2006, client):
    response = client.get(reverse("budget:index"))
    assert response.status_code == 302
    assert "logg-inn" in response.url


@pytest.mark.django_db
def test_the_overview_shows_every_post_in_norwegian_format(budget_2006, client_for):
    response = client_for("aid").get(reverse("budget:period", kwargs={"period": H1}))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("2 719 675 000", "1 302 347 676", "1 417 327 324", "47,9\u00a0%", "50,0\u00a0%"):
        assert text in html
    assert "Kontroller" not in html  # ministry readers do not get the control list


@pytest.mark.django_db
def test_ministry_readers_do_not_see_open_periods(budget_2006, client_for):
    response = client_for("aid").get(reverse("budget:period", kwargs={"period": "2006"}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_post_page_shows_allocations_accounts_attachment_and_commentary(
    budget_2006, client_for
):
    url = reverse("budget:post", kwargs={"period": H1, "chapter": "0651", "post": "60"})
    html = client_for("ne").get(url).content.decode()
    for text in (
        "Tildelingsbrev",
        "2 712 500 000",
        "7 175 000",
        "Tilskudd År-2 2006 (05)",
        "100 425 500",
        "988 807 125",  # the computed rest of 6020
        "Bosatt, ikke utbetalt",
        "utbetalt 40,4 mill. kr av 45 mill. kr",
    ):
        assert text in html


@pytest.mark.django_db
def test_the_operating_post_shows_the_accounts_lines(budget_2006, client_for):
    url = reverse("budget:post", kwargs={"period": H1, "chapter": "0650", "post": "01"})
    html = client_for("direktor").get(url).content.decode()
    for text in (
        "22 158 053",
        "\u2212260 028",
        "21 898 025",
        "11 157 736",
        "33 055 761",
        "46 127 239",
    ):
        assert text in html


@pytest.mark.django_db
def test_the_disposition_and_authorisation_pages(budget_2006, client_for):
    client = client_for("direktor")
    html = client.get(
        reverse("budget:post", kwargs={"period": H1, "chapter": "0651", "post": "62"})
    ).content.decode()
    assert "44 971 000" in html and "Ny sjanse" in html and "404 000" in html
    html = client.get(
        reverse("budget:post", kwargs={"period": H1, "chapter": "0690", "post": "21"})
    ).content.decode()
    assert "8 000 000" in html and "7 740 000" in html and "260 000" in html


@pytest.mark.django_db
def test_the_chapter_page_lists_its_posts(budget_2006, client_for):
    url = reverse("budget:chapter", kwargs={"period": H1, "chapter": "0651"})
    html = client_for("direktor").get(url).content.decode()
    assert "2 820 657 000" in html and "Statsautorisasjonsordningen" in html


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "status"), [("aid", 403), ("ne", 200), ("direktor", 200)])
def test_the_control_list_is_for_directorate_users(budget_2006, client_for, username, status):
    response = client_for(username).get(reverse("budget:controls", kwargs={"period": H1}))
    assert response.status_code == status


@pytest.mark.django_db
def test_the_control_list_page_shows_the_differences(budget_2006, client_for):
    html = (
        client_for("direktor")
        .get(reverse("budget:controls", kwargs={"period": H1}))
        .content.decode()
    )
    assert "1 462 837 375" in html and "988 807 125" in html and "474 030 250" in html


@pytest.mark.django_db
def test_the_overview_runs_a_fixed_number_of_queries(
    budget_2006, client_for, django_assert_num_queries
):
    client = client_for("direktor")
    url = reverse("budget:period", kwargs={"period": H1})
    client.get(url)
    # session, user, user permissions, group permissions, profile, the period (get_period),
    # the count of chapters (for the pager), the agency's cache generation (the page is
    # cached by the first request), the period list.
    with django_assert_num_queries(9):
        client.get(url)


@pytest.mark.django_db
def test_the_overview_pages_the_chapters_and_its_queries_do_not_grow_with_them(
    budget_2006, client_for, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("budget.selectors.CHAPTERS_PER_PAGE", 2)
    client = client_for("direktor")
    url = reverse("budget:period", kwargs={"period": H1})
    # as above, and when not cached: the page's chapters, their posts, allocations and
    # accounts; the totals of all expense posts.
    with django_assert_num_queries(14):
        first = client.get(url)
    copy_chapters(3)
    bump_generation(agency_id=None)
    with django_assert_num_queries(14):
        second = client.get(url + "?side=2")
    chapters = Chapter.objects.filter(posts__isnull=False).distinct().count()
    assert second.context["pager"].page.paginator.count == chapters
    assert len(second.context["overview"].chapters) == 2
    assert "Sum for alle kapitler" in second.text
    assert 'href="?side=3"' in second.text
    assert second.context["totals"] != first.context["totals"]  # the copies count too


def copy_chapters(times: int) -> None:
    """times copies of every chapter with its posts, allocations and accounts (expense
    chapters numbered from 1000 up, income from 6000), into the locked half year as the
    fixture loader writes."""
    numbers = {ChapterKind.EXPENSE: 1000, ChapterKind.INCOME: 6000}
    with allow_locked_period_writes():
        for chapter in list(Chapter.objects.all()):
            posts = list(Post.objects.filter(chapter=chapter, credited_against__isnull=True))
            for _n in range(times):
                chapter.pk = None
                chapter.number = str(numbers[chapter.kind])
                numbers[chapter.kind] += 1
                chapter.save()
                for post in posts:
                    allocations = list(AllocationEntry.objects.filter(post_id=post.pk))
                    accounts = list(AccountsEntry.objects.filter(post_id=post.pk))
                    post.pk = None
                    post.chapter = chapter
                    post.save()
                    for row in [*allocations, *accounts]:
                        row.pk = None
                        row.post = post
                        row.save()
                    posts[posts.index(post)] = Post.objects.get(pk=post.pk)


@pytest.mark.django_db
def test_the_totals_from_the_database_are_the_overviews_totals(budget_2006):
    for period in ReportingPeriod.objects.filter(budget_year__year=2006):
        overview = budget_overview(period=period)
        totals = expense_totals(period=period)
        assert totals.sum_appropriation == overview.sum_appropriation, period
        assert totals.accounts_total == overview.accounts_total, period
        assert totals.remaining == overview.remaining, period
        assert totals.share_spent == overview.share_spent, period


@pytest.mark.django_db
def test_the_totals_follow_the_overview_at_its_edges(budget_2006):
    """A post whose only accounts are income credited against it, income that nets to
    zero, and accounts without an appropriation: the database's totals still equal the
    overview's, post by post as budget_overview counts them."""
    period = ReportingPeriod.objects.get(budget_year__year=2006, kind="H1")
    with allow_locked_period_writes():
        AccountsEntry.objects.filter(post__chapter__number="0650", post__number="01").delete()
        # 0650 post 01 is left with the income of 3650 posts 16 and 18, netted to zero.
        credited = AccountsEntry.objects.filter(
            post__credited_against__chapter__number="0650", category="income"
        ).order_by("post__number")
        first, second = list(credited)
        second.amount = -first.amount
        second.save()
        spent = AccountsEntry.objects.filter(post__chapter__kind=ChapterKind.EXPENSE).last()
        AllocationEntry.objects.filter(post_id=spent.post_id).delete()
    overview = budget_overview(period=period)
    totals = expense_totals(period=period)
    assert overview.accounts_total is not None
    assert totals.sum_appropriation == overview.sum_appropriation
    assert totals.accounts_total == overview.accounts_total
    assert totals.remaining == overview.remaining
    assert totals.share_spent == overview.share_spent


@pytest.mark.django_db
def test_the_post_page_runs_a_fixed_number_of_queries(
    budget_2006, client_for, django_assert_num_queries
):
    client = client_for("direktor")
    url = reverse("budget:post", kwargs={"period": H1, "chapter": "0651", "post": "60"})
    client.get(url)
    # session, user, user and group permissions, profile, period, the post; allocations,
    # accounts; sub-posts, lines, footnotes, reported figures; parts, transfers, part
    # commentary, part totals; authorisation; commentary; statistics; the period list;
    # the post's change history.
    with django_assert_num_queries(22):
        client.get(url)


@pytest.mark.django_db
def test_the_control_list_runs_a_fixed_number_of_queries(
    budget_2006, client_for, django_assert_num_queries
):
    client = client_for("direktor")
    url = reverse("budget:controls", kwargs={"period": H1})
    client.get(url)
    # session, user, user and group permissions, profile, period; posts, allocations,
    # accounts, reported figures, posts with lines, posts with parts; sub-posts, lines,
    # footnotes, reported figures; parts, transfers, part commentary, part totals;
    # authorisations; statistics; the period list; the consistency check's requirements
    # and indicator values (2; this budget-only data has no requirements, so neither their
    # activities, updates nor deliverables are asked for).
    with django_assert_num_queries(25):
        client.get(url)


@pytest.mark.django_db
def test_the_chapter_page_runs_a_fixed_number_of_queries(
    budget_2006, client_for, django_assert_num_queries
):
    client = client_for("direktor")
    url = reverse("budget:chapter", kwargs={"period": H1, "chapter": "0651"})
    client.get(url)
    # session, user, user and group permissions, profile, period, the chapter; posts,
    # allocations, accounts; the period list.
    with django_assert_num_queries(11):
        client.get(url)
