"""factory_boy factories for the domain; each builds a valid row with Vietnamese text."""

import datetime

import factory
from django.contrib.auth import get_user_model

from agreements import models


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Area

    name = factory.Sequence(lambda n: f"Tỉnh Thử Nghiệm {n}")
    level = models.Area.Level.PROVINCE


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Agency

    name = factory.Sequence(lambda n: f"Ban Dân vận Tỉnh ủy số {n}")
    short_name = factory.Sequence(lambda n: f"BDV {n}")
    kind = models.Agency.Kind.PARTY_BODY
    level = models.Agency.Level.PROVINCE
    area = factory.SubFactory(AreaFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "mat-khau-thu-nghiem-2026")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.UserProfile

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = models.UserProfile.Role.EDITOR


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Agreement

    kind = models.Agreement.Kind.PROGRAM
    number = factory.Sequence(lambda n: f"{n}-CTr/BDVTU")
    title = factory.Sequence(lambda n: f"Chương trình phối hợp công tác dân vận số {n}")
    signed_on = datetime.date(2021, 8, 30)
    lead_agency = factory.SubFactory(AgencyFactory)
    start_year = 2021
    end_year = 2026


class AgreementPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AgreementParty

    agreement = factory.SubFactory(AgreementFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = models.AgreementParty.Role.PARTNER
    name_as_signed = factory.LazyAttribute(lambda o: o.agency.name)


class ContentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ContentItem

    agreement = factory.SubFactory(AgreementFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Tuyên truyền, phổ biến chủ trương của Đảng về công tác dân vận"


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Review

    agreement = factory.SubFactory(AgreementFactory)
    kind = models.Review.Kind.ANNUAL
    held_on = datetime.date(2022, 12, 20)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Indicator

    code = factory.Sequence(lambda n: f"chi-tieu-{n}")
    name = factory.Sequence(lambda n: f"Số cuộc đối thoại với Nhân dân {n}")
    unit = "cuộc"
