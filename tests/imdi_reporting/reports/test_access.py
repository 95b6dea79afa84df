"""Only users entitled to a period get its report; ministry readers never get open ones."""

from django.urls import reverse

URLS = [
    "reports:full",
    "reports:full_pdf",
    "reports:form",
    "reports:form_pdf",
    "reports:accounts",
    "reports:accounts_pdf",
]


def test_a_ministry_reader_gets_404_for_an_open_period(client_for):
    client = client_for("aid")
    for name in URLS:
        assert client.get(reverse(name, args=["2006"])).status_code == 404, name


def test_a_ministry_reader_reads_the_submitted_period(client_for):
    response = client_for("aid").get(reverse("reports:full", args=["2006-H1"]))
    assert response.status_code == 200


def test_the_index_lists_only_the_periods_the_user_may_read(client_for):
    ministry = client_for("aid").get(reverse("reports:index")).content.decode()
    assert reverse("reports:full", args=["IMDi-2006-H1"]) in ministry
    assert reverse("reports:full", args=["IMDi-2006"]) not in ministry
    agency = client_for("ne").get(reverse("reports:index")).content.decode()
    assert reverse("reports:full", args=["IMDi-2006"]) in agency
    assert reverse("reports:accounts_pdf", args=["IMDi-2006"]) in agency


def test_anonymous_users_are_sent_to_log_in(client, organisation):
    response = client.get(reverse("reports:full", args=["2006-H1"]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_an_unknown_period_or_unit_is_404(client_for):
    client = client_for("direktor")
    assert client.get("/rapporter/2005-H1/").status_code == 404
    assert client.get("/rapporter/2006-H1/skjema/?enhet=XYZ").status_code == 404
