from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def validate_pdf(document) -> None:
    """Accept only a real PDF (by its content, not only its name) within the size limit."""
    limit = settings.AGREEMENT_DOCUMENT_MAX_BYTES
    if document.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(document.size), "limit": filesizeformat(limit)},
        )
    position = document.tell() if hasattr(document, "tell") else 0
    document.seek(0)
    header = document.read(5)
    document.seek(position)
    if not document.name.lower().endswith(".pdf") or header != b"%PDF-":
        raise ValidationError(
            _("Only PDF documents can be uploaded. Save or scan the agreement as a PDF file."),
            code="not_pdf",
        )
