"""The demo content behind the API tests, loaded through the apps' own loaders."""

import pytest
from rest_framework.test import APIClient

from budget.loaders import load_budget_demo
from goals.loaders import load_goals_demo
from imdi_reporting.services import FIXTURES_DIR
from settlement.loaders import load_settlement_demo
from tests.conftest import kept_for_the_module


# Each loaded once for the test module (kept_for_the_module); every test reads them in a
# savepoint of its own.
@pytest.fixture(scope="module")
def goals_demo_kept(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        load_goals_demo(directory=FIXTURES_DIR / "goals")
        yield


@pytest.fixture(scope="module")
def budget_demo_kept(goals_demo_kept, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        load_budget_demo(directory=FIXTURES_DIR / "budget")
        yield


@pytest.fixture(scope="module")
def settlement_demo_kept(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        load_settlement_demo(directory=FIXTURES_DIR / "settlement")
        yield


@pytest.fixture
def goals_demo(goals_demo_kept, organisation):
    pass


@pytest.fixture
def budget_demo(budget_demo_kept, goals_demo):
    pass


@pytest.fixture
def settlement_demo(settlement_demo_kept, organisation):
    pass


@pytest.fixture
def api_for(demo_user):
    """An API client authenticated (by force) as the given demo user; JSON by default."""

    def make(username: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(demo_user(username))
        return client

    return make
