from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs) -> None:
    from imdi_reporting.roles import sync_roles

    sync_roles()


class ImdiReportingConfig(AppConfig):
    name = "imdi_reporting"
    verbose_name = _("Performance reporting")

    def ready(self) -> None:
        # Runs after the last app's post_migrate, when every permission exists.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="imdi_sync_roles")
