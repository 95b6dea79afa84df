import pytest

from imdi_reporting.services import FIXTURES_DIR
from settlement.services import load_settlement_demo

SETTLEMENT_FIXTURES = FIXTURES_DIR / "settlement"


@pytest.fixture
def settlement_2006(db):
    """Counties, municipalities, forecasts, municipal places and the 2006 case set."""
    return load_settlement_demo(directory=SETTLEMENT_FIXTURES)
