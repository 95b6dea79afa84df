"""The whole demo (2006-H1 submitted, the year report open), loaded by the real loaders,
as the target of the probes."""

import hashlib
from decimal import Decimal

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from budget.loaders import load_budget_demo
from budget.models import Post
from budget.services import save_budget_profile
from goals.loaders import load_goals_demo
from goals.locking import allow_locked_period_writes
from goals.models import BudgetYear
from imdi_reporting.services import FIXTURES_DIR
from settlement.loaders import load_settlement_demo

GUARDED_APPS = ("goals", "budget", "settlement")


@pytest.fixture
def demo(organisation):
    load_goals_demo(directory=FIXTURES_DIR / "goals")
    load_budget_demo(directory=FIXTURES_DIR / "budget")
    load_settlement_demo(directory=FIXTURES_DIR / "settlement")
    # The demo has no periodised budget; one post gets one, so that every table has rows.
    post = Post.objects.get(chapter__agency__code="IMDi", chapter__number="0650", number="01")
    year = BudgetYear.objects.get(agency__code="IMDi", year=2006)
    with allow_locked_period_writes():
        save_budget_profile(
            post=post, budget_year=year, amounts={month: Decimal(1000) for month in range(1, 13)}
        )


@pytest.fixture
def demo_2006(organisation):
    """The 2006 letter, form and budget: the half year submitted, the year open."""
    load_goals_demo(directory=FIXTURES_DIR / "goals")
    load_budget_demo(directory=FIXTURES_DIR / "budget")


@pytest.fixture
def api_for(demo_user):
    def make(username: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(demo_user(username))
        return client

    return make


def checksum() -> dict[str, str]:
    """Per table of goals, budget and settlement, a SHA-256 of every row in key order: a
    probe has changed nothing when this is the same before and after."""
    sums = {}
    for app in GUARDED_APPS:
        for model in apps.get_app_config(app).get_models():
            names = [field.attname for field in model._meta.concrete_fields]
            rows = model._base_manager.order_by("pk").values_list(*names)
            digest = hashlib.sha256()
            for row in rows.iterator(chunk_size=2000):
                digest.update(repr(row).encode())
            sums[model._meta.label_lower] = digest.hexdigest()
    return sums
