import pytest

from goals.models import Agency
from imdi_reporting.services import FIXTURES_DIR
from settlement.loaders import load_settlement_demo
from tests.conftest import kept_for_the_module

SETTLEMENT_FIXTURES = FIXTURES_DIR / "settlement"


@pytest.fixture
def imdi(organisation) -> Agency:
    """IMDi, the agency with the settlement module in the demo organisation."""
    return Agency.objects.get(code="IMDi")


@pytest.fixture(scope="module")
def settlement_2006_kept(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield load_settlement_demo(
            directory=SETTLEMENT_FIXTURES, agency=Agency.objects.get(code="IMDi")
        )


@pytest.fixture
def settlement_2006(settlement_2006_kept, imdi):
    """Counties, municipalities, and IMDi's forecasts, municipal places and 2006 cases;
    loaded once for the test module."""
    return settlement_2006_kept
