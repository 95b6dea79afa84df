"""Which settlement rows keep a history (goals.history): an agency's cases, places and
forecasts are listed on its settlement page; counties and municipalities are national."""

from goals.history import register_history


def agency_anchor(agency_id: int) -> str:
    return f"settlement.agency:{agency_id}"


def register_settlement_history() -> None:
    from settlement import models as m

    no_period = {"period": lambda obj: None}
    for model in (m.County, m.Municipality):
        register_history(model, anchor=lambda obj: "settlement.national", **no_period)
    for model in (m.SettlementCase, m.MunicipalPlaces, m.Forecast):
        register_history(model, anchor=lambda obj: agency_anchor(obj.agency_id), **no_period)
