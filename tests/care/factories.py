"""Factories for the spine: clinic, program, staff user, client, episode, session, check-in and score.

Build only what a test needs. Check-in and portal links are issued by the services that send them
(care.links, checkin.attendance), never made here, so a test reaches them the way a client does."""

import datetime as dt

import factory
from django.utils import timezone

from care.models import CheckIn, Client, Clinic, Episode, Program, Score, Session, User


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    crisis_instructions = "If you are in danger now, call 988 or go to the nearest emergency room."
    # Test personas sign in without a second factor (client.force_login, the browser's password sign-in);
    # tests/accounts/ switch it on where they test it. Real clinics default to requiring it.
    require_two_factor = False


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

    # By path: the clinicians' factories build their users with this module's UserFactory.
    clinician = factory.SubFactory("tests.clinicians.factories.ClinicianFactory")
    client = factory.SubFactory(ClientFactory, clinic=factory.SelfAttribute("..clinician.clinic"))
    program = factory.SubFactory(ProgramFactory, clinic=factory.SelfAttribute("..clinician.clinic"))
    opened_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))


class SessionFactory(factory.django.DjangoModelFactory):
    """A therapy session, attended, held `days_ago` days before now (yesterday unless told)."""

    class Meta:
        model = Session

    class Params:
        days_ago = 1

    episode = factory.SubFactory(EpisodeFactory)
    number = factory.Sequence(lambda n: n + 1)
    scheduled_start = factory.LazyAttribute(lambda o: timezone.now() - dt.timedelta(days=o.days_ago))
    scheduled_end = factory.LazyAttribute(lambda o: o.scheduled_start + dt.timedelta(minutes=50))
    attendance = Session.Attendance.ATTENDED


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    session = factory.SubFactory(SessionFactory)
    sent_at = factory.LazyFunction(timezone.now)


class ScoreFactory(factory.django.DjangoModelFactory):
    """One scale's score on a check-in; the relationship total unless told."""

    class Meta:
        model = Score

    checkin = factory.SubFactory(CheckInFactory)
    instrument = "relationship"
    version = "1"
    scale = "total"
    value = 36.0
    minimum = 0.0
    maximum = 40.0
    band = ""
