from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save
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
        from goals.models import ReportingPeriod
        from imdi_reporting.language import restore_language_at_login
        from imdi_reporting.reports import signals

        pre_save.connect(
            signals.remember_state, sender=ReportingPeriod, dispatch_uid="imdi_report_state"
        )
        user_logged_in.connect(restore_language_at_login, dispatch_uid="imdi_login_language")
        post_save.connect(
            signals.snapshot_on_submit,
            sender=ReportingPeriod,
            dispatch_uid="imdi_report_snapshot",
        )
        post_save.connect(
            signals.freeze_on_submit, sender=ReportingPeriod, dispatch_uid="imdi_report_freeze"
        )
        from goals.locking import register_snapshot_lookup
        from imdi_reporting.reports.services import snapshotted_periods

        # Year rows stay open for the year report once a submitted half year's report is
        # kept in its snapshot (goals.locking.YearLock).
        register_snapshot_lookup(snapshotted_periods)
        from imdi_reporting.rollup_signals import retire_on_relations, retire_rollups

        post_save.connect(retire_rollups, dispatch_uid="imdi_retire_rollups_save")
        post_delete.connect(retire_rollups, dispatch_uid="imdi_retire_rollups_delete")
        m2m_changed.connect(retire_on_relations, dispatch_uid="imdi_retire_rollups_relations")
