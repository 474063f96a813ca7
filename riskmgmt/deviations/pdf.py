"""PDF rendering with WeasyPrint (needs Debian's pango and a font: scripts/system-deps.sh)."""

from __future__ import annotations


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """The PDF of a self-contained HTML document (its styles inline, so nothing is fetched)."""
    import weasyprint  # imported here: loading pango costs time the other views need not pay

    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
