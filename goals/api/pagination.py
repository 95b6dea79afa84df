from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """Limit/offset paging that refuses a malformed limit or offset with 400 instead of
    quietly using the default, so that a client's mistake does not look like data."""

    default_limit = 50
    max_limit = 500

    def _read(self, request, name: str, minimum: int, maximum: int | None) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        if not raw.isdigit() or int(raw) < minimum or (maximum is not None and int(raw) > maximum):
            bound = f" and at most {maximum}" if maximum is not None else ""
            raise exceptions.ValidationError({name: f"A whole number from {minimum}{bound}."})
        return int(raw)

    def get_limit(self, request):
        limit = self._read(request, self.limit_query_param, 1, self.max_limit)
        return self.default_limit if limit is None else limit

    def get_offset(self, request):
        # An offset beyond the largest page is pointless; the bound keeps it a database int.
        offset = self._read(request, self.offset_query_param, 0, 10**9)
        return 0 if offset is None else offset

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        descriptions = {
            "count": "How many items match, over all pages.",
            "next": "The next page's address; null on the last page.",
            "previous": "The previous page's address; null on the first page.",
            "results": "This page's items.",
        }
        for name, description in descriptions.items():
            paginated["properties"][name]["description"] = description
        return paginated

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": 10**9},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds[parameter["name"]])
        return parameters


class KeysFirstLimitOffsetPagination(StrictLimitOffsetPagination):
    """For lists whose rows join many tables: the page's keys are found by a narrow query
    (the filters and the ordering only), then just those rows are read with their joins.
    The database then sorts the keys rather than every joined row before the limit; a query
    more than the plain paging."""

    def paginate_queryset(self, queryset, request, view=None):
        keys = super().paginate_queryset(queryset.values_list("pk", flat=True), request, view)
        if not keys:
            return keys
        rows = queryset.order_by().in_bulk(keys)
        return [rows[key] for key in keys]
