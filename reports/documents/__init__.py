"""Word documents that leave the system, in the official format of domain.md.

`official` holds the format (page, fonts, header block, title, signature block,
tables, Vietnamese numbers and dates); `agreement`, `review` and `term_summary`
build the three documents. Builders take the selectors' output, run no query and
return the file's bytes. The text is Vietnamese whatever language the user reads
the site in: these are official documents of Vietnamese bodies.
"""

from .agreement import agreement_docx
from .official import (
    DOCX_CONTENT_TYPE,
    date_line,
    document_symbol,
    format_number,
    format_percentage,
    heading_parts,
    issuing_body,
    superior_body,
)
from .review import review_docx, review_page_parts
from .term_summary import term_summary_docx

__all__ = [
    "DOCX_CONTENT_TYPE",
    "agreement_docx",
    "date_line",
    "document_symbol",
    "format_number",
    "format_percentage",
    "heading_parts",
    "issuing_body",
    "review_docx",
    "review_page_parts",
    "superior_body",
    "term_summary_docx",
]
