import pytest
from rest_framework.test import APIClient

from budget.loaders import load_budget_demo
from imdi_reporting.services import FIXTURES_DIR
from tests.conftest import kept_for_the_module


@pytest.fixture(scope="module")
def budget_2006_kept(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield load_budget_demo(directory=FIXTURES_DIR / "budget")


@pytest.fixture
def budget_2006(budget_2006_kept, organisation):
    """The organisation plus all of part VI and attachments 1-4 of the 2006 half-year report;
    loaded once for the test module."""
    return budget_2006_kept


@pytest.fixture
def api_for(demo_user):
    """An API client authenticated (by force) as the given demo user."""

    def make(username: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(demo_user(username))
        return client

    return make
