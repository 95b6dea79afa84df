"""Two agencies in one installation: IMDi (the 2006 demo) and a fictional second agency,
FTD (Familietjenestedirektoratet under BLD), whose budget goes in through import_budget.
Each sees its own chapters and figures only, and no row can join the two."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from budget.imports import import_budget_file
from budget.loaders import load_chapters
from budget.models import (
    AccountsEntry,
    AllocationEntry,
    Chapter,
    DispositionPart,
    DispositionTransfer,
    Post,
)
from goals.loaders import load_organisation
from goals.models import Agency, BudgetYear, ReportingPeriod
from imdi_reporting.services import load_demo_users
from tests.conftest import kept_for_the_module

D = Decimal
FTD_DATA = Path(__file__).resolve().parents[1] / "data" / "ftd"
IMDI_CHAPTERS = ("0650", "0651", "0652", "0690", "0854", "3650", "3652", "5309")
IMDI_AMOUNTS = ("79 183 000", "2 719 675 000", "33 055 761", "1 302 347 676")
FTD_H1 = "FTD-2006-H1"
IMDI_H1 = "IMDi-2006-H1"


def import_ftd(name: str) -> str:
    out = StringIO()
    call_command(
        "import_budget", str(FTD_DATA / name), "--year", "2006", "--agency", "FTD", stdout=out
    )
    return out.getvalue()


@pytest.fixture(scope="module")
def ftd_kept(budget_2006_kept, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        load_organisation(path=FTD_DATA / "organisation.yaml")
        load_demo_users(path=FTD_DATA / "users.yaml")
        load_chapters(path=FTD_DATA / "chapters.yaml")
        import_ftd("allocations-2006.csv")
        import_ftd("accounts-2006-H1.csv")
        yield


@pytest.fixture
def ftd(ftd_kept, budget_2006):
    """FTD beside IMDi: its organisation and users from files, its chapter by the budget
    loader, its allocations and accounts by import_budget --agency FTD (loaded once for
    the module)."""
    return Agency.objects.get(code="FTD")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ftd_post(number: str) -> Post:
    return Post.objects.select_related("chapter__agency").get(
        chapter__agency__code="FTD", chapter__number="0840", number=number
    )


def imdi_post(code: str) -> Post:
    chapter, _, number = code.partition(".")
    return Post.objects.select_related("chapter__agency").get(
        chapter__agency__code="IMDi", chapter__number=chapter, number=number
    )


def period(slug: str) -> ReportingPeriod:
    agency, year, kind = slug.split("-")
    return ReportingPeriod.objects.select_related("budget_year__agency").get(
        budget_year__agency__code=agency, budget_year__year=int(year), kind=kind
    )


# --- The second agency's budget comes in through import_budget ----------------------------


@pytest.mark.django_db
def test_ftd_budget_goes_in_through_import_budget_with_the_agency(ftd):
    assert sorted(
        AllocationEntry.objects.filter(post__chapter__agency=ftd).values_list(
            "post__number", "amount"
        )
    ) == [("01", D(12400000)), ("70", D(4750000))]
    assert sorted(
        AccountsEntry.objects.filter(post__chapter__agency=ftd).values_list(
            "post__number", "category", "amount", "period__budget_year__agency__code"
        )
    ) == [
        ("01", "purchases", D(1747000), "FTD"),
        ("01", "salary", D(3968000), "FTD"),
        ("70", "payments", D(2135000), "FTD"),
    ]
    chapter = Chapter.objects.get(agency=ftd, number="0840")
    assert (chapter.ministry.code, chapter.under_authorisation) == ("BLD", False)


@pytest.mark.django_db
def test_import_budget_refuses_to_guess_the_agency_when_two_have_the_year(ftd):
    before = AccountsEntry.objects.count()
    with pytest.raises(CommandError) as error:
        call_command("import_budget", str(FTD_DATA / "accounts-2006-H1.csv"), "--year", "2006")
    assert str(error.value) == (
        "accounts-2006-H1.csv: several agencies have the budget year 2006 (FTD, IMDi); "
        "give the agency with --agency"
    )
    assert AccountsEntry.objects.count() == before


@pytest.mark.django_db
def test_importing_imdis_chapter_as_ftd_saves_nothing_and_names_row_and_column(ftd):
    content = (
        "kapittel;post;periode;kategori;beløp;merknad\n"
        "0840;01;2006-H1;salary;100;\n"
        "0650;01;2006-H1;salary;100;IMDi's post\n"
        "0840;01;IMDi-2006-H1;purchases;100;IMDi's period\n"
    ).encode()
    before = list(AccountsEntry.objects.values_list("pk", "amount"))
    report = import_budget_file(
        content=content, filename="a.csv", year=2006, agency_code="FTD", table="accounts"
    )
    assert [str(p) for p in report.problems] == [
        "row 3, column 'kapittel': unknown chapter 0650 of FTD",
        "row 4, column 'periode': the period IMDi-2006-H1 is not FTD's",
    ]
    assert not report.saved
    assert list(AccountsEntry.objects.values_list("pk", "amount")) == before


@pytest.mark.django_db
def test_an_allocation_row_for_imdis_year_cannot_name_ftds_post(ftd):
    content = (
        "kapittel;post;år;type;løpenummer;beløp;dato;merknad;virksomhet\n"
        "0840;01;2006;rnb;1;500;2006-09-01;;IMDi\n"
    ).encode()
    report = import_budget_file(content=content, filename="a.csv", year=2006, agency_code=None)
    assert [str(p) for p in report.problems] == [
        "file: several agencies have the budget year 2006 (FTD, IMDi); give the agency"
    ]
    report = import_budget_file(content=content, filename="a.csv", year=2006, agency_code="IMDi")
    assert [str(p) for p in report.problems] == [
        "row 2, column 'kapittel': unknown chapter 0840 of IMDi"
    ]


# --- The model refuses a row that joins two agencies ---------------------------------------


@pytest.mark.django_db
def test_accounts_of_imdis_post_in_ftds_period_are_refused_by_full_clean(ftd):
    entry = AccountsEntry(
        post=imdi_post("0650.01"), period=period(FTD_H1), category="salary", amount=D(100)
    )
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert error.value.message_dict == {
        "period": [
            "Posten 0650.01 tilhører IMDi, men rapporteringsperiode FTD 2006-H1 tilhører FTD."
        ]
    }


@pytest.mark.django_db
def test_an_allocation_of_ftds_post_in_imdis_year_is_refused_by_full_clean(ftd):
    entry = AllocationEntry(
        post=ftd_post("01"),
        budget_year=BudgetYear.objects.get(agency__code="IMDi", year=2006),
        kind="rnb",
        amount=D(100),
    )
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert error.value.message_dict == {
        "budget_year": ["Posten 0840.01 tilhører FTD, men budsjettår IMDi 2006 tilhører IMDi."]
    }


@pytest.mark.django_db
def test_a_transfer_between_parts_of_another_post_is_refused(ftd):
    h1 = period(IMDI_H1)
    part = DispositionPart.objects.filter(period=h1, post=imdi_post("0651.62")).first()
    transfer = DispositionTransfer(
        period=h1,
        post=imdi_post("0651.71"),
        position=99,
        kind="between_parts",
        from_part=part,
        to_part=part,
        amount=D(1),
    )
    with pytest.raises(ValidationError) as error:
        transfer.full_clean()
    assert "from_part" in error.value.message_dict
    assert "ikke post 0651.71" in error.value.message_dict["from_part"][0]


@pytest.mark.django_db
def test_income_cannot_be_credited_against_another_agencys_post(ftd):
    income = imdi_post("3650.16")
    income.credited_against = ftd_post("01")
    with pytest.raises(ValidationError) as error:
        income.full_clean()
    assert error.value.message_dict == {
        "credited_against": ["Posten 3650.16 i IMDi kan ikke inntektsføres mot 0840.01 i FTD."]
    }


@pytest.mark.django_db
def test_a_chapter_of_another_ministry_needs_a_charge_authorisation(ftd):
    chapter = Chapter(agency=ftd, number="0841", name="X", kind="expense")
    chapter.ministry = imdi_post("0650.01").chapter.ministry  # AID, not FTD's BLD
    with pytest.raises(ValidationError) as error:
        chapter.full_clean()
    assert "hører under BLD, ikke AID" in error.value.message_dict["ministry"][0]
    chapter.under_authorisation = True
    chapter.full_clean()


@pytest.mark.django_db
def test_the_same_chapter_number_may_exist_once_per_agency(ftd):
    imdi = Agency.objects.get(code="IMDi")
    Chapter.objects.create(
        agency=ftd, number="0650", name="Drift", kind="expense", ministry=ftd.ministry
    )
    assert Chapter.objects.filter(number="0650").count() == 2
    duplicate = Chapter(agency=imdi, number="0650", name="Igjen", kind="expense")
    duplicate.ministry = imdi.ministry
    with pytest.raises(ValidationError):
        duplicate.full_clean()


# --- Pages and API: each agency sees its own --------------------------------------------


@pytest.mark.django_db
def test_ftds_budget_page_shows_only_ftds_chapter_and_figures(ftd, client_for):
    html = client_for("ftd-direktor").get(reverse("budget:period", args=[FTD_H1])).content.decode()
    # FTD counts whole months: 12 400 000 x 6/12 = 6 200 000 expected, 5 715 000 booked.
    # The numbers print a real minus sign (U+2212).
    for text in (
        "Familietjenester",
        "12 400 000",
        "5 715 000",
        "\u2212485 000",
        "Hele måneder gått",
    ):
        assert text in html
    for text in (*IMDI_CHAPTERS, *IMDI_AMOUNTS):
        assert text not in html


@pytest.mark.django_db
def test_ftd_cannot_open_imdis_period_chapter_or_post(ftd, client_for):
    client = client_for("ftd-direktor")
    assert client.get(reverse("budget:period", args=[IMDI_H1])).status_code == 404
    assert client.get(reverse("budget:chapter", args=[FTD_H1, "0650"])).status_code == 404
    assert client.get(reverse("budget:post", args=[FTD_H1, "0651", "60"])).status_code == 404
    assert client.get(reverse("budget:post", args=[FTD_H1, "0840", "70"])).status_code == 200


@pytest.mark.django_db
def test_imdis_pages_do_not_list_ftds_chapter(ftd, client_for):
    client = client_for("direktor")
    html = client.get(reverse("budget:period", args=[IMDI_H1])).content.decode()
    assert "0650" in html and "0840" not in html and "Familietjenester" not in html
    assert client.get(reverse("budget:chapter", args=[IMDI_H1, "0840"])).status_code == 404
    export = client.get(reverse("budget:export", args=[IMDI_H1, "accounts", "csv"]))
    assert "0840" not in export.content.decode()


@pytest.mark.django_db
def test_ftds_api_lists_only_ftds_chapter_and_posts(ftd, demo_user):
    client = api(demo_user("ftd-direktor"))
    chapters = client.get("/api/budget/chapters/").json()
    assert [(c["agency"], c["number"], c["ministry"]) for c in chapters["results"]] == [
        ("FTD", "0840", "BLD")
    ]
    posts = client.get(f"/api/budget/posts/?period={FTD_H1}").json()["results"]
    assert [
        (p["agency"], p["code"], p["appropriation"], p["accounts"], p["linear_basis"])
        for p in posts
    ] == [
        ("FTD", "0840.01", "12400000", "5715000", "months"),
        ("FTD", "0840.70", "4750000", "2135000", "months"),
    ]
    assert client.get(f"/api/budget/posts/?period={IMDI_H1}").status_code == 404
    assert client.get("/api/budget/sub-posts/").json()["count"] == 0
    assert client.get("/api/budget/sub-post-lines/?year=2006").json()["count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["ne", "aid"])
def test_imdi_users_and_the_aid_reader_see_no_ftd_rows_in_the_api(ftd, demo_user, username):
    client = api(demo_user(username))
    chapters = client.get("/api/budget/chapters/?limit=100").json()["results"]
    assert {c["agency"] for c in chapters} == {"IMDi"}
    assert "0840" not in {c["number"] for c in chapters}
    posts = client.get("/api/budget/posts/?year=2006&limit=100").json()["results"]
    assert {p["agency"] for p in posts} == {"IMDi"}
    assert not any(p["code"].startswith("0840") for p in posts)
    assert client.get("/api/budget/posts/?agency=FTD").status_code == 404


@pytest.mark.django_db
def test_the_bld_reader_sees_ftds_chapter_but_no_open_period(ftd, demo_user, client_for):
    client = api(demo_user("bld"))
    chapters = client.get("/api/budget/chapters/").json()["results"]
    assert [(c["agency"], c["number"]) for c in chapters] == [("FTD", "0840")]
    assert client.get(f"/api/budget/posts/?period={FTD_H1}").status_code == 404
    page = client_for("bld").get(reverse("budget:period", args=[FTD_H1]))
    assert page.status_code == 404


@pytest.mark.django_db
def test_a_year_alone_gives_each_agency_its_own_rows_at_its_own_period(ftd, demo_user):
    # Each agency's figures follow its own convention: let FTD count days.
    Agency.objects.filter(code="FTD").update(linear_basis="days")
    client = api(demo_user("admin"))  # a superuser reads both agencies
    posts = client.get("/api/budget/posts/?period=2006-H1&limit=100").json()["results"]
    by_code = {(p["agency"], p["code"]): p for p in posts}
    assert {agency for agency, _code in by_code} == {"FTD", "IMDi"}
    imdi, ftd_01 = by_code[("IMDi", "0650.01")], by_code[("FTD", "0840.01")]
    assert (imdi["period"], imdi["deviation_from_linear"], imdi["linear_basis"]) == (
        IMDI_H1,
        "-6535739",
        "months",
    )
    assert (ftd_01["period"], ftd_01["deviation_from_linear"], ftd_01["linear_basis"]) == (
        FTD_H1,
        "-434041",
        "days",
    )
    # FTD's latest 2006 period by 1 July is H1 (its year report ends in December).
    by_year = client.get("/api/budget/posts/?year=2006&date=2006-07-01&agency=FTD").json()[
        "results"
    ]
    assert [(p["agency"], p["period"]) for p in by_year] == [("FTD", FTD_H1)] * 2
    chapters = client.get("/api/budget/chapters/?agency=FTD").json()["results"]
    assert [c["number"] for c in chapters] == ["0840"]


@pytest.mark.django_db
def test_the_control_list_names_the_agency_when_a_short_key_matches_two(ftd, demo_user):
    client = api(demo_user("admin"))
    response = client.get("/api/budget/controls/?period=2006-H1")
    assert response.status_code == 400
    assert "Several agencies match (FTD, IMDi)" in str(response.json())
    assert client.get(f"/api/budget/controls/?period={FTD_H1}").json() == []


# --- Queries stay the same with two agencies loaded -----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "url", "queries"),
    [
        # session, user, user and group permissions, profile, the period, the count of
        # chapters (for the pager), the agency's cache generation (the overview was cached
        # by the first request), the period list.
        ("direktor", reverse("budget:period", args=[IMDI_H1]), 9),
        ("ftd-direktor", reverse("budget:period", args=[FTD_H1]), 9),
        # ... the chapter, then its posts, allocations, accounts, the period list.
        ("direktor", reverse("budget:chapter", args=[IMDI_H1, "0651"]), 11),
        ("ftd-direktor", reverse("budget:chapter", args=[FTD_H1, "0840"]), 11),
        # ... the post; allocations, accounts; sub-posts, lines, footnotes, reported
        # figures; parts, transfers, part commentary, part totals; authorisation;
        # commentary; statistics; the post's change history; the period list.
        ("direktor", reverse("budget:post", args=[IMDI_H1, "0651", "60"]), 22),
    ],
)
def test_budget_pages_run_the_same_queries_with_two_agencies(
    ftd, client_for, django_assert_num_queries, username, url, queries
):
    client = client_for(username)
    client.get(url)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # profile (the readable agencies are a subquery), count, page
        ("/api/budget/chapters/", 3),
        ("/api/budget/sub-posts/", 3),
        # perms (2), profile, the periods, count, page of posts, allocations, accounts
        (f"/api/budget/posts/?period={IMDI_H1}", 8),
        ("/api/budget/posts/?year=2006", 8),
        # perms (2), profile, count, page
        ("/api/budget/sub-post-lines/", 5),
    ],
)
def test_api_lists_run_the_same_queries_with_two_agencies(
    ftd, demo_user, django_assert_num_queries, url, queries
):
    client = api(demo_user("ne"))
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_a_superusers_list_of_both_agencies_runs_as_many_queries_as_of_one(
    ftd, demo_user, django_assert_num_queries
):
    client = api(demo_user("admin"))
    # perms (2; a superuser's are not looked up, the profile is), the periods, count,
    # page of posts, allocations, accounts: both agencies' figures in one pass.
    with django_assert_num_queries(6):
        data = client.get("/api/budget/posts/?period=2006-H1&limit=100").json()
    assert {p["agency"] for p in data["results"]} == {"FTD", "IMDi"}


# --- Admin ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_dropdowns_name_the_agency_and_lists_filter_by_it(ftd, client_for):
    client = client_for("admin")
    form = client.get(reverse("admin:budget_accountsentry_add")).content.decode()
    assert "IMDi 0650.01 Driftsutgifter" in form and "FTD 0840.01 Driftsutgifter" in form
    assert "FTD 2006-H1" in form and "IMDi 2006-H1" in form
    listing = client.get(
        reverse("admin:budget_accountsentry_changelist") + "?post__chapter__agency__code=FTD"
    ).content.decode()
    assert "0840.01" in listing and "0650.01" not in listing


@pytest.mark.django_db
def test_the_admin_refuses_accounts_that_join_two_agencies(ftd, client_for):
    response = client_for("admin").post(
        reverse("admin:budget_accountsentry_add"),
        {
            "post": imdi_post("0650.01").pk,
            "period": period(FTD_H1).pk,
            "category": "salary",
            "amount": "100",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert (
        "Posten 0650.01 tilhører IMDi, men rapporteringsperiode FTD 2006-H1 tilhører FTD."
        in response.content.decode()
    )
    assert (
        not AccountsEntry.objects.filter(period__budget_year__agency=ftd, note="")
        .exclude(post__chapter__agency=ftd)
        .exists()
    )
