"""Messages stored for later readers (portal/translated.py) are read in the reader's language."""

from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext_lazy

from portal.translated import in_every_language, in_reader_language, with_params


def test_a_message_is_stored_in_every_language_and_read_in_the_readers():
    stored = in_every_language(gettext_lazy("Write Ya or Tidak."))
    assert stored == {"id": "Tulis Ya atau Tidak.", "en": "Write Ya or Tidak."}
    with translation.override("en"):
        assert in_reader_language(stored) == "Write Ya or Tidak."
    with translation.override("id"):
        assert in_reader_language(stored) == "Tulis Ya atau Tidak."


def test_a_validation_error_is_stored_with_its_params():
    error = ValidationError(
        gettext_lazy("The NIK says born %(date)s. Check the date, or tick “%(confirm)s”."),
        params={"date": "08-01-1990", "confirm": "x"},
    )
    stored = in_every_language(error)
    assert stored["en"] == "The NIK says born 08-01-1990. Check the date, or tick “x”."
    assert stored["id"] == "Menurut NIK, lahir 08-01-1990. Periksa tanggalnya, atau centang “x”."


def test_a_message_with_params_renders_when_read():
    message = with_params(gettext_lazy("Write Ya or Tidak."))
    with translation.override("id"):
        assert str(message) == "Tulis Ya atau Tidak."
    stored = in_every_language(message)
    assert set(stored) == {"id", "en"}


def test_text_stored_before_as_plain_text_is_shown_as_it_is():
    """Rows checked before messages were stored in every language still read."""
    assert in_every_language("Tulis Ya atau Tidak.") == "Tulis Ya atau Tidak."
    with translation.override("en"):
        assert in_reader_language("Tulis Ya atau Tidak.") == "Tulis Ya atau Tidak."
    assert in_reader_language(None) == ""


def test_a_language_missing_from_the_stored_message_falls_back_to_the_sites():
    with translation.override("en"):
        assert in_reader_language({"id": "Tulis"}) == "Tulis"


def test_the_template_filter_reads_in_the_readers_language():
    template = Template("{% load translated %}{{ message|in_reader_language }}")
    with translation.override("en"):
        assert template.render(Context({"message": {"id": "Ya", "en": "Yes"}})) == "Yes"
