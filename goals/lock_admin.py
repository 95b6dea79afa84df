"""The admin's face of the lock (goals.locking): a locked row is shown read-only with the
reason, cannot be deleted alone or in a bulk delete, and an add or change form that would
write into a submitted report is refused with the reason instead of saved.

The guard in the model layer refuses these writes anyway; this only makes the admin say so
before the user tries."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from goals.locking import lock_of, locked_writes_allowed


def lock_error(obj) -> ValidationError | None:
    """Why ``obj`` may not be changed or deleted; None when it may."""
    if obj is None or obj.pk is None or locked_writes_allowed():
        return None
    rule = lock_of(type(obj))
    if rule is None:
        return None
    try:
        rule.check(obj, deleting=True)
    except ValidationError as error:
        return error
    return None


def _lock_checking_form(form_class):
    class LockCheckingForm(form_class):
        def _post_clean(self):
            super()._post_clean()
            rule = lock_of(type(self.instance))
            if rule is None or locked_writes_allowed():
                return
            try:
                rule.check(self.instance)
            except ValidationError as error:
                self.add_error(None, error)

    return LockCheckingForm


class LockedAdminMixin:
    """For the ModelAdmin of a guarded model."""

    def has_change_permission(self, request, obj=None):
        return lock_error(obj) is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return lock_error(obj) is None and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        error = lock_error(self.get_object(request, object_id))
        if error is not None:
            messages.warning(request, " ".join(error.messages))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        return _lock_checking_form(super().get_form(request, obj, change=change, **kwargs))

    def delete_queryset(self, request, queryset):
        # The guard refuses the whole delete if one selected row is locked; the action
        # then says why instead of failing.
        try:
            super().delete_queryset(request, queryset)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            raise _Refused from error

    def response_action(self, request, queryset, *args, **kwargs):
        try:
            return super().response_action(request, queryset, *args, **kwargs)
        except _Refused:
            return redirect(request.get_full_path())


class _Refused(Exception):
    """A bulk action refused by the lock; nothing was changed."""


class LockedInlineMixin:
    """Inline rows under a locked parent can be neither added, changed nor deleted, and a
    new inline row is checked like a form of its own."""

    def _locked(self, obj) -> bool:
        return lock_error(obj) is not None

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _lock_checking_form(formset.form)
        return formset
