import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, but an empty value for a typed filter (a number, a choice, a period
    key) is refused with 400 rather than ignored: `?year=` is a mistake, not "any year"."""

    # Text filters whose values have a format, so that an empty one is malformed too.
    formatted = ("period",)

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            for name, declared in filterset_class.base_filters.items():
                if isinstance(declared, django_filters.CharFilter) and name not in self.formatted:
                    continue
                if request.query_params.get(name, None) == "":
                    raise exceptions.ValidationError({name: "This parameter needs a value."})
        return kwargs
