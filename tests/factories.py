"""Factories for the portal's models; regions get real-looking Kemendagri codes."""

import datetime

import factory
from factory.django import DjangoModelFactory

from campaigns.models import Agreement, Signatory
from portal.models import User
from villages.models import BranchOffice, Coverage, District, Province, Regency, Village


class ProvinceFactory(DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{51 + n % 40:02d}")
    name = factory.Faker("state", locale="id_ID")


class RegencyFactory(DjangoModelFactory):
    class Meta:
        model = Regency
        django_get_or_create = ["code"]

    province = factory.SubFactory(ProvinceFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.province.code}.{1 + n % 69:02d}")
    name = factory.LazyAttributeSequence(lambda o, n: f"Kabupaten Uji {n}")


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["code"]

    regency = factory.SubFactory(RegencyFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.regency.code}.{1 + n % 99:02d}")
    name = factory.Sequence(lambda n: f"Kecamatan Uji {n}")


class VillageFactory(DjangoModelFactory):
    class Meta:
        model = Village
        django_get_or_create = ["code"]

    district = factory.SubFactory(DistrictFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.district.code}.{2001 + n % 999}")
    name = factory.Sequence(lambda n: f"Desa Uji {n}")


class BranchOfficeFactory(DjangoModelFactory):
    class Meta:
        model = BranchOffice

    name = factory.Sequence(lambda n: f"KC Uji {n}")
    kind = BranchOffice.Kind.BRANCH


class CoverageFactory(DjangoModelFactory):
    class Meta:
        model = Coverage

    branch_office = factory.SubFactory(BranchOfficeFactory)
    regency = factory.SubFactory(RegencyFactory)
    valid_from = datetime.date(2016, 1, 1)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="id_ID")
    password = factory.PostGenerationMethodCall("set_password", "demo12345")
    role = User.Role.VILLAGE_OPERATOR

    class Params:
        admin = factory.Trait(role=User.Role.ADMIN, is_staff=True, is_superuser=True)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = Agreement

    kind = Agreement.Kind.MOU
    title = factory.Sequence(lambda n: f"Nota kesepahaman uji {n}")
    branch_office = factory.SubFactory(BranchOfficeFactory)
    counterpart_kind = Agreement.CounterpartKind.REGENCY_GOVERNMENT
    counterpart_name = "Pemerintah Kabupaten Uji"
    counterpart_regency = factory.SubFactory(RegencyFactory)
    signed_on = datetime.date(2019, 8, 1)
    valid_from = datetime.date(2019, 8, 1)


class SignatoryFactory(DjangoModelFactory):
    class Meta:
        model = Signatory

    agreement = factory.SubFactory(AgreementFactory)
    name = factory.Faker("name", locale="id_ID")
    position = "Kepala Desa"
    side = Signatory.Side.COUNTERPART
