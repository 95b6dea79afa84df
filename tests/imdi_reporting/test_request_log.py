"""One JSON line per request on the logger imdi_reporting.requests."""

import json
import logging

import pytest
from django.urls import reverse

from imdi_reporting.services import create_api_token

FIELDS = {"time", "method", "path", "status", "duration_ms", "user_id", "request_id"}


@pytest.fixture
def request_log(caplog):
    """The lines logged, parsed. The logger does not propagate (its lines must stay bare
    JSON), so pytest's capturing handler is attached to it directly."""
    logger = logging.getLogger("imdi_reporting.requests")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="imdi_reporting.requests")
    yield lambda: [
        json.loads(r.getMessage()) for r in caplog.records if r.name == "imdi_reporting.requests"
    ]
    logger.removeHandler(caplog.handler)


def test_a_page_request_is_one_json_line_with_the_user_and_the_request_id(
    client_for, demo_user, request_log
):
    response = client_for("ne").get(reverse("home"))
    [line] = request_log()
    assert set(line) == FIELDS
    assert line["method"] == "GET"
    assert line["path"] == "/"
    assert line["status"] == 200
    assert line["duration_ms"] > 0
    assert line["user_id"] == demo_user("ne").pk
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32


def test_an_api_token_user_is_logged(client, demo_user, request_log):
    _token, key = create_api_token(user=demo_user("aid"), name="script")
    client.get("/api/goals/periods/", HTTP_AUTHORIZATION=f"Token {key}")
    [line] = request_log()
    assert line["status"] == 200
    assert line["user_id"] == demo_user("aid").pk


def test_an_anonymous_request_has_no_user(client, organisation, request_log):
    client.post(reverse("login"), {"username": "ne", "password": "wrong"})
    [line] = request_log()
    assert (line["method"], line["status"], line["user_id"]) == ("POST", 200, None)


def test_the_proxys_request_id_is_kept_and_a_strange_one_replaced(
    client, organisation, request_log
):
    kept = client.get(reverse("login"), HTTP_X_REQUEST_ID="2f1c9a7e-req-42")
    replaced = client.get(reverse("login"), HTTP_X_REQUEST_ID='x"\n{"status": 200}')
    first, second = request_log()
    assert first["request_id"] == kept["X-Request-ID"] == "2f1c9a7e-req-42"
    assert second["request_id"] == replaced["X-Request-ID"]
    assert "\n" not in second["request_id"]


def test_the_handler_writes_the_bare_message():
    from django.conf import settings

    handler = settings.LOGGING["loggers"]["imdi_reporting.requests"]["handlers"][0]
    formatter = settings.LOGGING["handlers"][handler]["formatter"]
    assert settings.LOGGING["formatters"][formatter]["format"] == "%(message)s"
