"""factory_boy factories. Objects may be created in any state here (never in app code)."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from riskmgmt.organisation.models import Membership, Process, Unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.se")
    password = factory.django.Password("losen-123")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Enhet {n}")
    kind = Unit.Kind.UNIT


class ProcessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Process
        skip_postgeneration_save = True

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"Process {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Membership.Role.STAFF


class ActionFactory(factory.django.DjangoModelFactory):
    """An action on a unit's own plan (the source every installation has)."""

    class Meta:
        model = "actions.Action"
        skip_postgeneration_save = True

    unit = factory.SubFactory(UnitFactory)
    source_content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Unit))
    source_id = factory.LazyAttribute(lambda a: a.unit.pk)
    title = factory.Sequence(lambda n: f"Ny rutin för överlämning {n}")
    responsible = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("responsible")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    strength = "medium"


class DeviationFactory(factory.django.DjangoModelFactory):
    """A filed report in any state (tests may create any state; app code never does)."""

    class Meta:
        model = "deviations.Deviation"
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"AVV-2026-{n + 1:04d}")
    kind = "other"
    unit = factory.SubFactory(UnitFactory)
    title = factory.Sequence(lambda n: f"Akten låg kvar i skrivaren {n}")
    description = "En utskrift med uppgifter om ett ärende låg kvar i skrivaren över natten."
    reporter = factory.SubFactory(UserFactory)
