import pytest

from budget.loaders import load_budget_demo
from goals.loaders import load_goals_demo
from imdi_reporting.services import FIXTURES_DIR


@pytest.fixture
def demo_2006(organisation):
    """The 2006 letter, form and budget: the half year submitted, the year open."""
    load_goals_demo(directory=FIXTURES_DIR / "goals")
    load_budget_demo(directory=FIXTURES_DIR / "budget")
