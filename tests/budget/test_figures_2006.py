"""The computed figures of every post reproduce part VI of the 2006 half-year report."""

from decimal import Decimal

import pytest

from budget.choices import LinearBasis
from budget.models import Post
from budget.selectors import (
    budget_overview,
    elapsed_share,
    grant_statistics,
    post_disposition,
    subpost_attachment,
)
from goals.models import ReportingPeriod

D = Decimal

# (sum bevilgning, sum regnskap, restbudsjett) as printed in part VI.
PART_VI = {
    "0650.01": (D(79183000), D(33055761), D(46127239)),
    "0651.60": (D(2719675000), D(1302347676), D(1417327324)),
    "0651.61": (D(10000000), D(8980000), D(1020000)),
    "0651.62": (D(45121000), D(34485367), D(10635633)),
    "0651.70": (D(3100000), D(296632), D(2803368)),
    "0651.71": (D(26236000), D(12723141), D(13512859)),
    "0651.72": (D(1700000), D(800000), D(900000)),
    "0652.01": (D(5109000), D(1955510), D(3153490)),
}


@pytest.fixture
def h1(budget_2006):
    return ReportingPeriod.objects.select_related("budget_year__agency").get(
        budget_year__year=2006, kind="H1"
    )


@pytest.fixture
def overview(h1):
    return budget_overview(period=h1)


@pytest.mark.django_db
@pytest.mark.parametrize("code", PART_VI)
def test_every_post_reproduces_appropriation_accounts_and_remaining(overview, code):
    figures = overview.post(code)
    assert (figures.sum_appropriation, figures.accounts_total, figures.remaining) == PART_VI[code]


@pytest.mark.django_db
def test_salary_lines_of_the_operating_posts(overview):
    imdi = overview.post("0650.01")
    # Income on 3650.16 (44 772) and 3650.18 (215 256) is credited against 0650.01.
    assert (imdi.refunds, imdi.salary_total) == (D(-260028), D(21898025))
    contact = overview.post("0652.01")
    assert (contact.refunds, contact.salary_total) == (D(0), D(1416597))


@pytest.mark.django_db
def test_post_21_has_only_its_frame_because_the_report_gives_no_accounts(overview):
    post = overview.post("0651.21")
    assert (post.sum_appropriation, post.accounts_total, post.remaining) == (
        D(14825000),
        None,
        None,
    )


@pytest.mark.django_db
def test_income_posts_show_what_is_booked(overview):
    assert [overview.post(c).accounts_total for c in ("3650.16", "3650.18", "5309.29")] == [
        D(44772),
        D(215256),
        D(1103682),
    ]


@pytest.mark.django_db
def test_imdi_measures_linear_spend_in_whole_months(h1, overview):
    # organisation.yaml: IMDi's linear_basis is months, so 30 June is half the year.
    assert elapsed_share(period=h1) == D(6) / D(12)
    contact = overview.post("0652.01")
    # "38,3 pst av budsjettet er forbrukt"
    assert contact.share_spent == D("0.3828")
    assert (contact.expected_linear, contact.deviation) == (D(2554500), D(-598990))
    assert contact.basis == LinearBasis.MONTHS


@pytest.mark.django_db
def test_linear_spend_by_months_gives_the_reports_six_and_a_half_million(overview):
    # The report's "brutto mindre forbruk på 6,5 mill. kr" on 0650.01 uses half a year.
    imdi = overview.post("0650.01")
    assert imdi.expected_linear == D(39591500)  # 79 183 000 x 6/12
    assert imdi.deviation == D(-6535739)  # against accounts of 33 055 761


@pytest.mark.django_db
def test_an_agency_that_counts_days_gets_days_elapsed_over_days_in_the_year(h1):
    h1.budget_year.agency.linear_basis = LinearBasis.DAYS
    assert elapsed_share(period=h1) == D(181) / D(365)
    by_days = budget_overview(period=h1)
    assert by_days.post("0650.01").deviation == D(-6210329)
    contact = by_days.post("0652.01")
    assert (contact.expected_linear, contact.deviation) == (D(2533504), D(-577994))
    assert contact.basis == LinearBasis.DAYS


@pytest.mark.django_db
def test_chapter_and_overall_totals(overview):
    chapters = {c.chapter.number: c for c in overview.chapters}
    assert chapters["0651"].sum_appropriation == D(2820657000)
    assert chapters["0651"].accounts_total == D(1359632816)
    # Post 21 has no accounts, so its remaining is unknown and left out of the sum.
    assert chapters["0651"].remaining == D(1446199184)
    assert overview.sum_appropriation == D(2904949000)
    assert overview.accounts_total == D(1394644087)
    assert overview.share_spent == D("0.4826")


@pytest.mark.django_db
def test_attachment_1_reproduces_every_sum_and_the_total(h1):
    attachment = subpost_attachment(
        period=h1, post=Post.objects.get(chapter__number="0651", number="60")
    )
    sums = {s.subpost.code: (s.persons, s.amount, s.budget, s.rest) for s in attachment.subposts}
    assert sums == {
        "6010": (1969, D(241764000), D(587998000), D(346234000)),
        "6020": (24573, D(1014624875), D(2003432000), D(988807125)),
        "6030": (14, D(1680000), D(4800000), D(3120000)),
        "6031": (None, D(40397251), D(45000000), D(4602749)),
        "6040": (305, D(2631550), D(75945000), D(73313450)),
        "6050": (None, D(1250000), D(2500000), D(1250000)),
    }
    assert (attachment.amount, attachment.budget, attachment.rest) == (
        D(1302347676),
        D(2719675000),
        D(1417327324),
    )


@pytest.mark.django_db
def test_a_first_term_payment_is_a_quarter_of_persons_times_rate(h1):
    attachment = subpost_attachment(
        period=h1, post=Post.objects.get(chapter__number="0651", number="60")
    )
    lines = {lf.line.label: lf for s in attachment.subposts for lf in s.lines}
    assert lines["Tilskudd År-2 2006 (05)"].computed_amount == D(100425500)
    assert lines["Tilskudd År-5 2006 (02)"].computed_amount == D(143640000)
    # A second term or an adjustment has no persons to check against.
    assert lines["2. terminutbetaling"].computed_amount is None
    assert lines["Stopp/trekk terminutbetaling 2006"].computed_rest == D(688750)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("62", (D(45121000), D(44971000), D(150000), D(34485367))),
        ("71", (D(26236000), D(25909200), D(326800), D(12723141))),
    ],
)
def test_attachments_3_and_4_reproduce_the_totals_column(h1, number, expected):
    disposition = post_disposition(
        period=h1, post=Post.objects.get(chapter__number="0651", number=number)
    )
    totals = (disposition.budget, disposition.disposed, disposition.undisposed, disposition.booked)
    assert totals == expected
    assert all(p.computed_budget == p.part.budget for p in disposition.parts)


@pytest.mark.django_db
def test_attachment_2_columns_sum_to_the_printed_totals(h1):
    tables = {t.table: t for t in grant_statistics(period=h1)}
    disability = tables["disability"]
    assert [disability.computed("total", c) for c in disability.columns] == [94, 52, 44]
    years = tables["years2to5_current"]
    assert [years.computed("total", c) for c in years.columns] == [4398, 5659, 6763, 8245]
    assert tables["year1_current"].computed("remainder", "Antall personer") == 1369
