"""A report as PDF, by WeasyPrint: A4, page numbers, table headers repeated on every page,
the inline SVG charts, tagged for accessibility (PDF/UA), and a "Draft" watermark on every
page of a draft. The HTML comes from the report's print template, reports/pdf.html.

WeasyPrint is imported when a PDF is asked for, so pages that never make one do not pay
for loading it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weasyprint import Document

# WeasyPrint logs every step of every render at INFO.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def document(html: str, *, base_url: str = "") -> Document:
    """The laid-out pages (tests read each page's text from here)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url or None).render()


def pdf_bytes(html: str, *, base_url: str = "") -> bytes:
    return document(html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1") or b""
