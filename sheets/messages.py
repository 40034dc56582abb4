"""Messages rendered when read, not when made: a refusal or a row's problem may be stored in
every language (portal.translated.in_every_language) and read later by someone reading another
one. `_("... %(row)d ...") % {...}` renders at once, in the language of the moment; these
helpers keep the message lazy."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise, lazy


def with_params(message: str | Promise, /, **params: Any) -> Promise:
    """`message % params`, rendered only when read."""
    return lazy(lambda: str(message) % params, str)()


def joined(messages: Iterable[Any], separator: str = " ") -> Promise:
    """The messages (lazy ones, ValidationErrors) joined by `separator`, rendered only when
    read: `" ".join(...)` renders each at once."""
    messages = list(messages)
    return lazy(lambda: separator.join(render(message) for message in messages), str)()


def file_size(size: int) -> Promise:
    """filesizeformat(size), rendered only when read: "10.0 MB" is "10,0 MB" in Indonesian."""
    return lazy(filesizeformat, str)(size)


def render(message: Any) -> str:
    """A message in the active language; a ValidationError's messages with their params."""
    if isinstance(message, ValidationError):
        # Iterating renders each message with its params, in the active language.
        return " ".join(message)
    return str(message)
