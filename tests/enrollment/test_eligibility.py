"""Who may enrol (issue 18): one rule, its limits kept as dated data (AgeLimit), through every
entry path: the registration form, the spreadsheet import, the admin and the model itself
(full_clean). OpenSID's path is in tests/opensid/test_eligibility.py."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from enrollment import eligibility
from enrollment.eligibility import AgeRule
from enrollment.models import AgeLimit, Participant, Registration

from ..conftest import client_for
from .factories import ParticipantFactory, RegistrationFactory
from .registering import form_post, nik_for
from .test_import_views import as_csv, errors_of, resident, upload_ok, warnings_of

TODAY = timezone.localdate()
RULES = [
    AgeRule(scheme="bpu", effective_from=datetime.date(2015, 7, 1), min_age=15, max_age=56),
    AgeRule(scheme="pu", effective_from=datetime.date(2015, 7, 1), min_age=15, max_age=None),
]


@pytest.fixture
def english(client):
    """Import messages are asserted on their English ids, as tests/enrollment/test_import_views."""
    client.cookies["django_language"] = "en"
    return client


def born_years_ago(years: int, *, days_later: int = 0) -> datetime.date:
    """The birth date of someone who turns `years` today (or `days_later` days from today)."""
    day = TODAY + datetime.timedelta(days=days_later)
    try:
        birthday = day.replace(year=day.year - years)
    except ValueError:  # 29 February
        birthday = day.replace(year=day.year - years, day=28)
    return birthday


def ddmmyy(day: datetime.date) -> str:
    return f"{day:%d%m%y}"


def refusal(**kwargs) -> ValidationError:
    kwargs = {"category": "bpu", "on": TODAY, "rules": RULES, **kwargs}
    with pytest.raises(ValidationError) as caught:
        eligibility.check_age(**kwargs)
    return caught.value


# The rule ------------------------------------------------------------------------------------


def test_nobody_born_after_today_may_enrol():
    error = refusal(birth_date=TODAY + datetime.timedelta(days=1))
    assert error.code == "future_birth_date"


def test_a_child_may_not_enrol_and_is_told_so_in_indonesian():
    """UU 13/2003 lets children of 13 to 15 do light work only: the youngest member is 15."""
    error = refusal(birth_date=born_years_ago(12))
    assert error.code == "too_young"
    with translation.override("id"):
        assert error.messages == ["Umur 12 tahun: belum boleh mendaftar (paling muda 15 tahun)."]


def test_the_age_counts_on_the_day_of_registration():
    """15 on the day of registration may enrol; the day before the 15th birthday may not."""
    eligibility.check_age(birth_date=born_years_ago(15), category="bpu", on=TODAY, rules=RULES)
    assert refusal(birth_date=born_years_ago(15, days_later=1)).code == "too_young"


def test_a_bpu_member_over_the_age_limit_is_refused_a_wage_earner_is_not():
    """BPU: 56 at most (bisnis.com 21-06-2017); no maximum is known for wage earners."""
    error = refusal(birth_date=born_years_ago(57))
    assert error.code == "too_old"
    with translation.override("id"):
        assert "paling tua 56 tahun" in error.messages[0]
    eligibility.check_age(
        birth_date=born_years_ago(57), category="perangkat", on=TODAY, rules=RULES
    )


def test_a_new_limit_applies_from_the_day_it_takes_effect():
    """A new regulation is a new row: the limit of the day of registration applies."""
    rules = [*RULES, AgeRule("bpu", datetime.date(2030, 1, 1), 15, 65)]
    born = datetime.date(1970, 6, 1)
    assert refusal(birth_date=born, on=datetime.date(2029, 12, 31), rules=rules).code == "too_old"
    eligibility.check_age(
        birth_date=born, category="bpu", on=datetime.date(2030, 1, 1), rules=rules
    )


def test_the_seeded_limits_name_their_source(db):
    """The migration seeds the limits with where they come from and what stays unverified."""
    bpu = AgeLimit.objects.filter(scheme="bpu").in_force()
    assert (bpu.min_age, bpu.max_age) == (15, 56)
    assert "bisnis.com 21-06-2017" in bpu.source
    assert "UU 13/2003" in bpu.source
    assert "Permenaker 5/2021" in bpu.source and "unverified" in bpu.source
    assert AgeLimit.objects.filter(scheme="pu").in_force().max_age is None


# The registration form -------------------------------------------------------------------------


def post_check(client, village, **overrides):
    return client.post(
        reverse("registration_create"), {**form_post(village, **overrides), "check": "1"}
    )


@pytest.mark.parametrize(
    ("years", "message"),
    [
        (12, "Umur 12 tahun: belum boleh mendaftar (paling muda 15 tahun)."),
        (60, "Umur 60 tahun: melewati batas umur peserta program ini (paling tua 56 tahun)."),
    ],
)
def test_the_form_refuses_a_child_and_a_bpu_member_over_the_limit(
    client, operator, world, years, message
):
    """The birth date read from the NIK is checked: the refusal says the age and the limit."""
    client.force_login(operator)
    nik = nik_for(world.socorejo, birth=ddmmyy(born_years_ago(years)))
    response = post_check(client, world.socorejo, nik=nik)
    assert message in response.text
    assert response.context["premium_total"] is None
    response = client.post(
        reverse("registration_create"), {**form_post(world.socorejo, nik=nik), "save": "1"}
    )
    assert not Registration.objects.exists()


def test_the_form_refuses_a_birth_date_after_today(client, operator, world):
    """Even confirmed as differing from the NIK, a birth date after today is refused."""
    client.force_login(operator)
    tomorrow = TODAY + datetime.timedelta(days=1)
    response = post_check(
        client, world.socorejo, birth_date=tomorrow.isoformat(), confirm_differences="on"
    )
    assert f"Tanggal lahir {tomorrow:%d-%m-%Y} jatuh setelah hari ini" in response.text


def test_a_limit_row_added_in_the_admin_changes_who_the_form_accepts(client, operator, world):
    """A fisherman of 60 is refused under the limit of 56; a row raising it to 65 from today
    lets him enrol, without a code change."""
    client.force_login(operator)
    nik = nik_for(world.socorejo, birth=ddmmyy(born_years_ago(60)))
    assert "Umur 60 tahun" in post_check(client, world.socorejo, nik=nik).text
    AgeLimit.objects.create(
        scheme="bpu", effective_from=TODAY, min_age=15, max_age=65, source="uji"
    )
    response = post_check(client, world.socorejo, nik=nik)
    assert "Umur 60 tahun" not in response.text
    assert response.context["premium_total"] == 16_800


def test_a_village_official_past_the_bpu_limit_may_enrol(client, operator, world):
    """Village officials are wage earners of the village: the BPU limit is not theirs."""
    client.force_login(operator)
    nik = nik_for(world.socorejo, birth=ddmmyy(born_years_ago(60)))
    response = post_check(client, world.socorejo, nik=nik, category="perangkat")
    assert "Umur 60 tahun" not in response.text
    assert response.context["premium_total"] is not None


def test_editing_counts_the_age_on_the_day_it_was_registered(client, operator, world):
    """A member registered at 56 who has turned 57 since can still have their data fixed."""
    born = born_years_ago(57)
    registration = RegistrationFactory(
        village=world.socorejo,
        participant__village=world.socorejo,
        participant__birth_date=born,
        participant__category="bpu",
        created_at=timezone.now() - datetime.timedelta(days=400),
    )
    client.force_login(operator)
    url = reverse("registration_edit", args=[registration.pk])
    post = form_post(world.socorejo, nik=registration.participant.nik, full_name="Nama Diperbaiki")
    response = client.post(url, {**post, "check": "1"})
    assert "Umur" not in response.text
    assert response.context["premium_total"] is not None


# The birth date and sex the NIK says ---------------------------------------------------------


def test_the_form_shows_what_the_nik_says(client, operator, world):
    """After "Periksa" the page says the NIK's birth date and sex (the script says it while
    typing: tests/browser/test_eligibility_journey.py)."""
    client.force_login(operator)
    response = post_check(client, world.socorejo, nik=nik_for(world.socorejo, female=True))
    assert "Menurut NIK: lahir 08-01-1990, perempuan" in response.text


def test_a_sex_that_differs_from_the_nik_needs_the_confirmation(client, operator, world):
    """A man's NIK with "female" chosen is refused until confirmed, then kept as chosen."""
    client.force_login(operator)
    post = form_post(world.socorejo, sex="F")
    response = client.post(reverse("registration_create"), {**post, "check": "1"})
    assert "Menurut NIK, laki-laki" in response.text
    assert "data-nik-confirm hidden" not in response.text  # the box is shown
    post["confirm_differences"] = "on"
    response = client.post(reverse("registration_create"), {**post, "check": "1"})
    assert "Jenis kelamin berbeda dengan yang tercantum di NIK" in response.text
    response = client.post(
        reverse("registration_create"),
        {**post, "save": "1", "priced": response.context["priced"]},
    )
    assert response.status_code == 302
    assert Participant.objects.get().sex == "F"


def test_the_confirmation_box_stays_hidden_while_nothing_differs(client, operator, world):
    client.force_login(operator)
    response = post_check(client, world.socorejo)
    assert "data-nik-confirm hidden" in response.text
    assert response.context["premium_total"] is not None


# The spreadsheet import ----------------------------------------------------------------------


def test_import_rows_of_a_child_an_old_bpu_member_or_a_future_birth_date_are_errors(
    client, english, operator, world
):
    """Each is an error of its row with the rule's message; a birth date differing from the NIK
    is only a warning in the preview, and the row is saved as written in the file."""
    client.force_login(operator)
    tomorrow = TODAY + datetime.timedelta(days=1)
    rows = [
        resident(world.socorejo, NIK=nik_for(world.socorejo, birth=ddmmyy(born_years_ago(12)))),
        resident(world.socorejo, NIK=nik_for(world.socorejo, birth=ddmmyy(born_years_ago(60)))),
        resident(world.socorejo, **{"Tanggal Lahir": f"{tomorrow:%d-%m-%Y}"}),
        resident(
            world.socorejo,
            NIK=nik_for(world.socorejo, birth="080190"),
            **{"Tanggal Lahir": "09-01-1990", "Nama Lengkap": "Beda Tanggal"},
        ),
    ]
    batch = upload_ok(client, as_csv(rows))
    errors = errors_of(batch)
    assert set(errors) == {2, 3, 4}
    assert "Age 12: too young to enrol (the youngest allowed is 15)." in str(errors[2])
    assert "Age 60: too old to enrol in this scheme (the oldest allowed is 56)." in str(errors[3])
    assert f"Birth date {tomorrow:%d-%m-%Y} is after today" in str(errors[4])
    new = batch.rows.get(number=5)
    assert new.status == "new"
    assert warnings_of(new) == [
        "The birth date differs from the one in the NIK (08-01-1990); it is kept as typed."
    ]
    client.post(reverse("registration_import_confirm", args=[batch.pk]))
    assert Participant.objects.get(full_name="Beda Tanggal").birth_date == datetime.date(1990, 1, 9)


# The model and the admin -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_date", "code"),
    [
        (TODAY + datetime.timedelta(days=1), "future_birth_date"),
        (born_years_ago(12), "too_young"),
        (born_years_ago(60), "too_old"),
    ],
)
def test_full_clean_refuses_what_the_form_refuses(world, birth_date, code):
    """The shell and the admin cannot store a participant the form would refuse."""
    participant = ParticipantFactory.build(
        village=world.socorejo, birth_date=datetime.date(1990, 1, 8), category="bpu"
    )
    participant.birth_date = birth_date
    with pytest.raises(ValidationError) as caught:
        participant.full_clean()
    assert [error.code for error in caught.value.error_dict["birth_date"]] == [code]


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("3523123102900001", "birth_date"),  # 31 February
        ("3523120801900000", "serial"),
        ("9923120801900001", "province"),
        ("3523 1208 0190 0001", "format"),  # stored with spaces
    ],
)
def test_the_nik_field_validates_like_the_form(world, nik, code):
    """The validator on Participant.nik: 16 digits, a real date, region codes, a serial."""
    participant = ParticipantFactory.build(village=world.socorejo, nik=nik)
    with pytest.raises(ValidationError) as caught:
        participant.full_clean()
    assert code in [error.code for error in caught.value.error_dict["nik"]]


def test_a_valid_participant_passes_full_clean(world):
    ParticipantFactory.build(village=world.socorejo).full_clean(validate_unique=False)


def test_the_admin_refuses_a_child(client, admin_user, world):
    """The participant admin runs the model's rule: a child's birth date is not saved."""
    participant = RegistrationFactory(village=world.socorejo).participant
    client = client_for(client, admin_user)
    url = reverse("admin:enrollment_participant_change", args=[participant.pk])
    response = client.post(
        url,
        {
            "nik": participant.nik,
            "full_name": participant.full_name,
            "birth_date": born_years_ago(12).isoformat(),
            "sex": "M",
            "phone": "",
            "village": world.socorejo.pk,
            "category": participant.category,
        },
    )
    assert response.status_code == 200
    assert "birth_date" in response.context["adminform"].form.errors
    assert Participant.objects.get(pk=participant.pk).birth_date == participant.birth_date


def test_age_limits_are_kept_in_the_admin(client, admin_user):
    client = client_for(client, admin_user)
    response = client.get(reverse("admin:enrollment_agelimit_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
