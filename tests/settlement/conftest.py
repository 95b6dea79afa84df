import pytest

from goals.models import Agency
from imdi_reporting.services import FIXTURES_DIR
from settlement.loaders import load_settlement_demo

SETTLEMENT_FIXTURES = FIXTURES_DIR / "settlement"


@pytest.fixture
def imdi(organisation) -> Agency:
    """IMDi, the agency with the settlement module in the demo organisation."""
    return Agency.objects.get(code="IMDi")


@pytest.fixture
def settlement_2006(imdi):
    """Counties, municipalities, and IMDi's forecasts, municipal places and 2006 cases."""
    return load_settlement_demo(directory=SETTLEMENT_FIXTURES, agency=imdi)
