"""Messages kept for later readers: an import's errors and warnings are checked once, by one
person, and read later by others (the branch reads a village's import, an administrator the
rows) in their own language. So are the reason a file was refused (ImportBatch.refusal,
PaymentUpload.refusal) and why an OpenSID resident cannot be registered or may be a duplicate
(ResidentCandidate.reason, .duplicate_note).

A message is stored in every language of settings.LANGUAGES when it is made
(`in_every_language`), as {"id": "...", "en": "..."}, and shown in the reader's language
(`in_reader_language`, or the `in_reader_language` template filter). Rows stored before this,
as plain text, are shown as they are: there is no way back from a rendered text to its
message, and such rows are short-lived (an import is checked, saved and done within days).
Messages are made lazy with sheets.messages (with_params, joined, file_size)."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import get_language, override

from sheets.messages import render


def in_every_language(message: Any) -> dict[str, str] | str:
    """The message in every language of the portal, {language code: text}. A text rendered
    already (a plain str) has no other language and is kept as it is."""
    if isinstance(message, Mapping):  # stored in every language already
        return dict(message)
    if isinstance(message, str) and not isinstance(message, Promise):
        return message
    texts = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            texts[code] = render(message)
    return texts


def in_reader_language(stored: Any) -> str:
    """A stored message in the active language: its own text when stored in every language
    (the site's default when the active one is missing), as it is when stored as plain text."""
    if not isinstance(stored, Mapping):
        return "" if stored is None else str(stored)
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    for code in (language, settings.LANGUAGE_CODE):
        if code in stored:
            return stored[code]
    return next(iter(stored.values()), "")
