"""Paging of the long tables on the screen pages. The report and the exports print every
row; a page shows PAGE_SIZE rows and links to the pages before and after it, keeping the
page's other query parameters (its filters)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import QueryDict

PAGE_SIZE = 50
PAGE_PARAMETER = "side"


@dataclass
class Pager:
    page: Page
    query: QueryDict

    @property
    def paged(self) -> bool:
        return self.page.paginator.num_pages > 1

    def _url(self, number: int) -> str:
        data = self.query.copy()
        if number == 1:
            data.pop(PAGE_PARAMETER, None)
        else:
            data[PAGE_PARAMETER] = str(number)
        return f"?{data.urlencode()}"

    @property
    def previous_url(self) -> str | None:
        return self._url(self.page.previous_page_number()) if self.page.has_previous() else None

    @property
    def next_url(self) -> str | None:
        return self._url(self.page.next_page_number()) if self.page.has_next() else None


def paged(items: QuerySet | Sequence, *, query: QueryDict, per_page: int | None = None) -> Pager:
    """The page of items the query asks for (?side=N; the first page for a missing or
    malformed number, the last for one beyond it), PAGE_SIZE rows unless told. On a
    queryset: a count query and the page's rows."""
    paginator = Paginator(items, per_page or PAGE_SIZE)
    return Pager(page=paginator.get_page(query.get(PAGE_PARAMETER)), query=query)
