"""HTML to archival PDF (PDF/A-2a: tagged, fonts embedded, with an output intent)."""

import mimetypes
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_VARIANT = "pdf/a-2a"


class StaticURLFetcher(URLFetcher):
    """Serves /static/... from the app's own files and data: URLs; fetches nothing else,
    so a report never depends on the network."""

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        path = urlparse(url).path
        if not path.startswith(prefix):
            raise PermissionError(f"The PDF renderer does not fetch {url}")
        name = path[len(prefix) :]
        # With DEBUG off, {% static %} names the collected copy with its hash in the name
        # (css/report.807cb6e74c62.css), which only the collected files have.
        found = finders.find(name) or _collected(name)
        if found is None:
            raise FileNotFoundError(url)
        file = Path(found)
        mime_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": mime_type})


def _collected(name: str) -> str | None:
    try:
        return staticfiles_storage.path(name) if staticfiles_storage.exists(name) else None
    except NotImplementedError:  # a storage without local files
        return None


PDF_OPTIONS = {"pdf_variant": PDF_VARIANT, "pdf_tags": True}


def render_document(*, html: str):
    """The laid-out document: its pages and their boxes, before it is written as PDF."""
    source = HTML(string=html, base_url="http://report.invalid/", url_fetcher=StaticURLFetcher())
    return source.render(**PDF_OPTIONS)


def render_pdf(*, html: str) -> bytes:
    """Render a complete HTML document. Title, author and subject come from the document's
    <title> and <meta name="author"/"description">, the language from <html lang>."""
    return render_document(html=html).write_pdf(**PDF_OPTIONS)
