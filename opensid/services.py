"""Every write of the OpenSID integration: storing an upload's candidates, and registering the
ticked ones through the spreadsheet import's own checks and bulk save."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from enrollment import eligibility, import_services
from enrollment.models import AgeLimit, ImportBatch, Participant, Registration, WorkerCategory
from enrollment.nik import mask_nik, parse_nik
from portal.translated import in_every_language
from sheets.messages import joined, with_params
from villages.models import Village

from . import residents
from .models import ResidentCandidate, ResidentUpload

# Who is offered: BPS counts 15-64 as the working ages ("usia produktif"). domain.md fixes no
# bounds for enrollment, so a deployment may set OPENSID_WORKING_AGE = (min, max).
DEFAULT_WORKING_AGE = (15, 64)
DUPLICATE_LOOKUP_CHUNK = 1000


def working_age() -> tuple[int, int]:
    return tuple(getattr(settings, "OPENSID_WORKING_AGE", DEFAULT_WORKING_AGE))


def resident_upload_create(
    *, file: IO[bytes], name: str, size: int, village: Village, by
) -> ResidentUpload:
    """Read an OpenSID resident export for `village` and store the residents shown: those
    offered and those not eligible with the reason; those no longer living in the village and
    those outside the working ages are only counted. Possible duplicates are flagged: within the
    file, and against participants already registered. Raises sheets.reading.ImportRefused."""
    export = residents.read_export(file, name=name, size=size)
    today = timezone.localdate()
    ages = working_age()
    age_rules = AgeLimit.objects.rules()
    left_out: dict[str, int] = defaultdict(int)
    shown: list[tuple[residents.Resident, str, str | Promise]] = []
    for resident in export.residents:
        standing, reason = residents.standing(resident, today=today, ages=ages)
        if standing == residents.Standing.OFFERED and not _may_enrol(resident, today, age_rules):
            standing = residents.Standing.AGE
        if standing in residents.Standing.SHOWN:
            shown.append((resident, standing, reason))
        else:
            left_out[standing] += 1
    listed = [resident for resident, _standing, _reason in shown]
    duplicates = residents.possible_duplicates(listed)
    for row, messages in _registered_lookalikes(listed, by).items():
        duplicates.setdefault(row, []).extend(messages)
    with transaction.atomic():
        upload = ResidentUpload.objects.create(
            village=village,
            created_by=by,
            original_name=name[-255:],
            sheet=export.sheet[:100],
            rows_read=len(export.residents),
            left_out=dict(left_out),
            ignored_columns=export.ignored[:100],
        )
        ResidentCandidate.objects.bulk_create(
            [
                _candidate(upload, resident, standing, reason, duplicates.get(resident.row, []))
                for resident, standing, reason in shown
            ],
            batch_size=1000,
        )
    return upload


def _may_enrol(resident: residents.Resident, today: datetime.date, rules) -> bool:
    """Who may enrol (enrollment.eligibility, the registration form's own rule), for the
    category suggested by the resident's occupation (BPU when none): a resident the check
    would refuse for their age is not offered. The check of the ticked rows applies the rule
    again to the category chosen for the batch."""
    born = resident.birth_date or _nik_birth_date(resident)
    if born is None:
        return True
    occupation = resident.occupation
    category = (occupation.category if occupation else None) or WorkerCategory.INFORMAL
    try:
        eligibility.check_age(birth_date=born, category=category, on=today, rules=rules)
    except ValidationError:
        return False
    return True


def _candidate(upload, resident: residents.Resident, standing, reason, duplicates):
    occupation = resident.occupation
    return ResidentCandidate(
        upload=upload,
        row=resident.row,
        nik=resident.nik,
        full_name=resident.name,
        sex=resident.sex,
        birth_place=resident.birth_place,
        birth_date=resident.birth_date or _nik_birth_date(resident),
        address=resident.address,
        dusun=resident.dusun,
        rw=resident.rw,
        rt=resident.rt,
        occupation_code=occupation.code if occupation else None,
        suggested_category=(occupation.category or "") if occupation else "",
        standing=standing,
        # Both in every language: read later by others (the branch), in their own language.
        reason=in_every_language(reason),
        duplicate_note=in_every_language(joined(duplicates, "\n")) if duplicates else "",
    )


def _nik_birth_date(resident: residents.Resident) -> datetime.date | None:
    if resident.temporary_nik or resident.nik_problem:
        return None
    return parse_nik(resident.nik).birth_date


def _registered_lookalikes(shown: list[residents.Resident], by) -> dict[int, list[Promise]]:
    """Residents with the name and birth date of a participant registered under another NIK.
    Another village's participant is only said to exist, as the registration form does."""
    by_person: dict[tuple, list[residents.Resident]] = defaultdict(list)
    for resident in shown:
        born = resident.birth_date or _nik_birth_date(resident)
        if resident.name and born:
            by_person[residents.name_key(resident.name), born].append(resident)
    if not by_person:
        return {}
    matches: list[tuple[residents.Resident, str]] = []
    dates = sorted({born for _name, born in by_person})
    for start in range(0, len(dates), DUPLICATE_LOOKUP_CHUNK):
        participants = Participant.objects.filter(
            birth_date__in=dates[start : start + DUPLICATE_LOOKUP_CHUNK]
        ).values_list("nik", "full_name", "birth_date")
        for nik, full_name, born in participants:
            for resident in by_person.get((residents.name_key(full_name), born), []):
                if resident.nik != nik:  # the same NIK is shown as registered already
                    matches.append((resident, nik))
    visible = set(
        Registration.objects.for_user(by)
        .filter(participant__nik__in={nik for _resident, nik in matches})
        .values_list("participant__nik", flat=True)
    )
    found: dict[int, list[Promise]] = defaultdict(list)
    for resident, nik in matches:
        if nik in visible:
            message = with_params(
                gettext_lazy(
                    "A participant with the same name and birth date is registered under NIK "
                    "%(nik)s."
                ),
                nik=mask_nik(nik),
            )
        else:
            message = gettext_lazy(
                "A participant with the same name and birth date is registered in another "
                "village under another NIK."
            )
        found[resident.row].append(message)
    return found


def candidate_values(candidate: ResidentCandidate, *, category: str, batch: dict) -> dict:
    """One ticked resident as the spreadsheet importer's row values: the data from OpenSID and
    the choices made once for the whole batch. No phone number: OpenSID's export has none."""
    parts = [candidate.address]
    if candidate.dusun:
        parts.append(f"Dusun {candidate.dusun.title()}")
    address = ", ".join(part for part in parts if part)
    return {
        "nik": candidate.nik,
        "full_name": candidate.full_name,
        "birth_date": candidate.birth_date,
        "sex": {"M": "L", "F": "P"}.get(candidate.sex, ""),
        "phone": "",
        "address": address[:250],
        "rt": candidate.rt,
        "rw": candidate.rw,
        "occupation": candidate.occupation[:100],
        "category": category or candidate.suggested_category,
        "jht": batch["jht"],
        "declared_income": batch["declared_income"],
        "funding_source": batch["funding_source"],
        "funding_company": batch.get("funding_company", ""),
    }


def candidates_check(
    *,
    upload: ResidentUpload,
    candidates: Iterable[ResidentCandidate],
    by,
    category: str,
    batch: dict,
) -> ImportBatch:
    """Check the ticked residents exactly as the rows of an uploaded spreadsheet are (the same
    RegistrationForm, the same rules), as a batch waiting for confirmation. The row numbers are
    the rows of the OpenSID file. enrollment.import_services.registrations_import saves it."""
    rows = [
        (candidate.row, candidate_values(candidate, category=category, batch=batch))
        for candidate in candidates
    ]
    return import_services.import_batch_from_values(
        by=by,
        village=upload.village,
        rows=rows,
        name=f"OpenSID: {upload.original_name}",
    )
