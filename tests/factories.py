"""factory_boy factories for the spine. Build only what a test needs."""

import datetime as dt

import factory
from django.utils import timezone

from care.models import CheckIn, Client, Clinic, Episode, Program, Session, User
from clinicians.models import Clinician, Supervision
from risk.models import Flag


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    crisis_instructions = "If you are in danger now, call 988 or go to the nearest emergency room."


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Program {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    clinic = factory.SubFactory(ClinicFactory)
    role = User.Role.CLINICIAN
    password = factory.django.Password("correct horse battery staple")


class ClinicianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinician

    user = factory.SubFactory(UserFactory)
    clinic = factory.SelfAttribute("user.clinic")


class SupervisorFactory(ClinicianFactory):
    user = factory.SubFactory(UserFactory, role=User.Role.SUPERVISOR)


class SupervisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supervision

    supervisor = factory.SubFactory(SupervisorFactory)
    supervisee = factory.SubFactory(
        ClinicianFactory, user__clinic=factory.SelfAttribute("...supervisor.clinic")
    )
    started_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    clinic = factory.SubFactory(ClinicFactory)
    reference = factory.Sequence(lambda n: f"C{n:06d}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.reference.lower()}@example.org")


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    clinician = factory.SubFactory(ClinicianFactory)
    client = factory.SubFactory(ClientFactory, clinic=factory.SelfAttribute("..clinician.clinic"))
    program = factory.SubFactory(ProgramFactory, clinic=factory.SelfAttribute("..clinician.clinic"))
    opened_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    episode = factory.SubFactory(EpisodeFactory)
    number = factory.Sequence(lambda n: n + 1)
    scheduled_start = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    scheduled_end = factory.LazyAttribute(lambda o: o.scheduled_start + dt.timedelta(minutes=50))
    attendance = Session.Attendance.ATTENDED


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    session = factory.SubFactory(SessionFactory)
    sent_at = factory.LazyFunction(timezone.now)


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    episode = factory.SubFactory(EpisodeFactory)
    rule = factory.Sequence(lambda n: f"test_rule_{n}")
    rule_version = "1"
    pillar = "relationship"
    level = Flag.Level.AMBER
    reasons = factory.LazyFunction(lambda: [{"text": "Alliance total 30 of 40, below 36.", "evidence": {}}])
    suggested_action = "Open the next session by asking what felt off last time."
    opened_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)
