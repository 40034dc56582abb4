"""Registering residents in tests through the real service, with NIKs valid for a village."""

import itertools

from enrollment import services
from enrollment.nik import parse_nik

_serials = itertools.count(1)


def nik_for(village, *, birth: str = "080190", female: bool = False, serial: int | None = None):
    """A valid NIK issued in the village's district: birth as DDMMYY, day + 40 for women."""
    district = village.district_id.replace(".", "")
    day = int(birth[:2]) + (40 if female else 0)
    serial = serial if serial is not None else next(_serials)
    return f"{district}{day:02d}{birth[2:]}{serial:04d}"


def registration_data(village, **overrides) -> dict:
    data = {
        "nik": nik_for(village),
        "full_name": "Sutrisno",
        "birth_date": None,
        "sex": "",
        "phone": "",
        "address": "Dusun Krajan",
        "rt": "001",
        "rw": "002",
        "occupation": "Nelayan",
        "occupation_group": "other",
        "category": "bpu",
        "employer_name": "",
        "jht": False,
        "jp": False,
        "declared_income": 1_000_000,
        "funding_source": "mandiri",
        "funding_company": "",
        "agent": None,
    }
    data.update(overrides)
    return data


def register(village, by, **overrides):
    """Create a submitted registration the way the form does (birth date and sex from the NIK)."""
    data = registration_data(village, **overrides)
    info = parse_nik(data["nik"])
    data["birth_date"] = data["birth_date"] or info.birth_date
    data["sex"] = data["sex"] or info.sex
    return services.registration_create(village=village, entered_by=by, data=data)


def form_post(village, **overrides) -> dict:
    """What a browser posts for the registration form."""
    data = registration_data(village, **overrides)
    post = {key: ("" if value is None else value) for key, value in data.items()}
    post["declared_income"] = str(data["declared_income"])
    for box in ("jht", "jp"):
        if not data[box]:
            del post[box]
    return post


def checked(client, url: str, post: dict) -> dict:
    """What the browser posts to save after "Periksa": the checked inputs, "save" and the
    signature of the premium the page showed."""
    response = client.post(url, {**post, "check": "1"})
    assert response.status_code == 200
    return {**post, "save": "1", "priced": response.context["priced"]}
