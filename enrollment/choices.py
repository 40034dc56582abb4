"""The choices a participant's and a registration's fields take (worker category, payer,
occupation group): plain choices, importable without the models (enrollment.eligibility reads
them); enrollment.models re-exports them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OccupationGroup(models.TextChoices):
    """Groups of occupations a discount may be for."""

    OTHER = "other", _("Other")
    TRANSPORT = "transport", _("Transport (ojek, drivers, couriers)")


class WorkerCategory(models.TextChoices):
    FORMAL = "pu", _("Formal wage earner (PU)")
    INFORMAL = "bpu", _("Informal / self-employed (BPU)")
    VULNERABLE = "rentan", _("Vulnerable worker (pekerja rentan)")
    VILLAGE_OFFICIAL = "perangkat", _("Village official (perangkat desa)")
    RT_RW_HEAD = "rt_rw", _("RT/RW head")
    CONTRACT = "honorer", _("Contract / honorary worker")


class FundingSource(models.TextChoices):
    PARTICIPANT = "mandiri", _("The participant")
    DANA_DESA = "dana_desa", _("Dana Desa")
    ADD = "add", _("Alokasi Dana Desa (ADD)")
    APBD = "apbd", _("APBD")
    CSR = "csr", _("Company CSR")
    JIMPITAN = "jimpitan", _("Jimpitan")
    BANK_SAMPAH = "bank_sampah", _("Bank sampah (waste bank)")
    OTHER = "lainnya", _("Other")
    EMPLOYER = "perusahaan", _("The employer (formal employees)")

    @classmethod
    def village_funded(cls) -> list[str]:
        return [cls.DANA_DESA, cls.ADD]
