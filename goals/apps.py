from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = _("Goals and results")

    def ready(self) -> None:
        from goals.history import register_goals_history

        register_goals_history()
