import pytest
from django.core.exceptions import ValidationError

from portal.phone import format_phone, is_mobile_phone, normalize_phone, whatsapp_url


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("+62 (0)812-3456-7890", "6281234567890"),
        ("62812 3456 7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("81234567890", "6281234567890"),
        ("0812.3456.7890", "6281234567890"),
        ("(0351) 123456", "62351123456"),
        ("021 1234 5678", "622112345678"),
        ("0812345678", "62812345678"),
        ("08123456789012", "628123456789012"),
    ],
)
def test_indonesian_formats_are_normalized_to_62_digits(value, normalized):
    """Mobile and landline numbers in the usual formats become digits starting with 62."""
    assert normalize_phone(value) == normalized


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "0812-3456-789O",
        "0812 3456 7890 ext 2",
        "+1 415 555 0100",
        "0812345",
        "035112345",
        "081234567890123",
        "0123456789",
        "+62",
    ],
)
def test_letters_foreign_too_short_and_too_long_numbers_are_refused(value):
    """Anything but an Indonesian number of 9 to 13 national digits is refused as invalid."""
    with pytest.raises(ValidationError) as caught:
        normalize_phone(value)
    assert caught.value.code == "invalid"


@pytest.mark.parametrize(
    ("normalized", "display"),
    [
        ("6281234567890", "0812-3456-7890"),
        ("62812345678", "0812-3456-78"),
        ("62351123456", "0351-123456"),
        ("622112345678", "021-12345678"),
    ],
)
def test_numbers_are_displayed_in_international_groups(normalized, display):
    """Mobiles show as 0812-3456-7890, landlines as 0<area>-<number> (issue #20)."""
    assert format_phone(normalized) == display


@pytest.mark.parametrize(
    ("normalized", "expected"), [("6281234567890", True), ("62351123456", False)]
)
def test_mobile_numbers_are_told_from_landlines(normalized, expected):
    """A national part starting with 8 is a mobile number."""
    assert is_mobile_phone(normalized) is expected


def test_whatsapp_url_carries_the_urlencoded_message():
    """The wa.me link has the number without plus and the message URL-encoded."""
    url = whatsapp_url("6281234567890", "Halo Pak, iuran bulan ini?")
    assert url == "https://wa.me/6281234567890?text=Halo%20Pak%2C%20iuran%20bulan%20ini%3F"


def test_whatsapp_url_without_message_has_no_text():
    """An empty message gives a plain chat link."""
    assert whatsapp_url("6281234567890", "") == "https://wa.me/6281234567890"


def test_whatsapp_url_refuses_a_landline():
    """Landlines have no WhatsApp link."""
    with pytest.raises(ValidationError) as caught:
        whatsapp_url("62351123456", "Halo")
    assert caught.value.code == "not_mobile"
