"""{{ message|in_reader_language }}: a stored import message in the reader's language
(portal.translated)."""

from django import template

from portal import translated

register = template.Library()


@register.filter
def in_reader_language(stored) -> str:
    return translated.in_reader_language(stored)


@register.filter
def all_in_reader_language(stored_list) -> list[str]:
    """A list of stored messages (a row's warnings), each in the reader's language."""
    return [translated.in_reader_language(stored) for stored in stored_list or ()]
