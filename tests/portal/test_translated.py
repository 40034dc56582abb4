"""Messages stored for later readers (portal/translated.py) are read in the reader's language."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext_lazy

from enrollment import importing
from portal.translated import in_every_language, in_reader_language
from sheets.messages import file_size, joined, with_params


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


def test_joined_messages_and_file_sizes_render_when_read():
    """What a stored message's params and parts hold is rendered in each language too."""
    error = ValidationError(gettext_lazy("Enter the NIK."))
    stored = in_every_language(joined([gettext_lazy("Write Ya or Tidak."), error], "\n"))
    assert stored["id"] == "Tulis Ya atau Tidak.\nMasukkan NIK."
    assert stored["en"] == "Write Ya or Tidak.\nEnter the NIK."
    stored = in_every_language(file_size(2_500_000))
    assert stored == {"id": "2,4\xa0MB", "en": "2.4\xa0MB"}


def test_a_refused_files_message_is_lazy(settings):
    """ImportRefused's message is rendered when read, its sizes included: refused while the
    portal speaks English, stored in every language."""
    settings.IMPORT_MAX_BYTES = 1_048_576
    with translation.override("en"), pytest.raises(importing.ImportRefused) as refused:
        importing.inspect_file(
            io.BytesIO(b"NIK\n"), name="daftar.csv", size=2_500_000, village_column=False
        )
    stored = in_every_language(refused.value.message)
    assert stored["en"] == "The file is 2.4\xa0MB; the largest allowed is 1.0\xa0MB."
    assert stored["id"] == (
        "Berkas berukuran 2,4\xa0MB; ukuran terbesar yang diizinkan adalah 1,0\xa0MB."
    )
