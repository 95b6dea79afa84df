"""/healthz: what a load balancer polls to decide whether an app server gets traffic."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_it_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_it_answers_503_with_json_when_the_database_is_down(client):
    with mock.patch("imdi_reporting.middleware.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "error", "database": "unavailable"}
    # The database's error message is for the log, not for whoever polls.
    assert b"refused" not in response.content


@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["example.org"])
def test_a_probe_over_http_by_ip_address_and_without_login_gets_an_answer(client):
    probe = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert probe.status_code == 200
    assert probe.json() == {"status": "ok"}
    # The same request for a page is refused: the exemption is for /healthz only.
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400
    assert client.get("/", HTTP_HOST="example.org").status_code == 301
