from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    name = "budget"
    verbose_name = _("Budget and accounts")

    def ready(self) -> None:
        from budget.history import register_budget_history

        register_budget_history()
