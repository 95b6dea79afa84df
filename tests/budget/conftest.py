import pytest
from rest_framework.test import APIClient

from budget.loaders import load_budget_demo
from imdi_reporting.services import FIXTURES_DIR


@pytest.fixture
def budget_2006(organisation):
    """The organisation plus all of part VI and attachments 1-4 of the 2006 half-year report."""
    return load_budget_demo(directory=FIXTURES_DIR / "budget")


@pytest.fixture
def api_for(demo_user):
    """An API client authenticated (by force) as the given demo user."""

    def make(username: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(demo_user(username))
        return client

    return make
