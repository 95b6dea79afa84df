"""The demo content behind the API tests, loaded through the apps' own loaders."""

import pytest
from rest_framework.test import APIClient

from budget.loaders import load_budget_demo
from goals.loaders import load_goals_demo
from imdi_reporting.services import FIXTURES_DIR
from settlement.loaders import load_settlement_demo


@pytest.fixture
def goals_demo(organisation):
    load_goals_demo(directory=FIXTURES_DIR / "goals")


@pytest.fixture
def budget_demo(goals_demo):
    load_budget_demo(directory=FIXTURES_DIR / "budget")


@pytest.fixture
def settlement_demo(organisation):
    load_settlement_demo(directory=FIXTURES_DIR / "settlement")


@pytest.fixture
def api_for(demo_user):
    """An API client authenticated (by force) as the given demo user; JSON by default."""

    def make(username: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(demo_user(username))
        return client

    return make
