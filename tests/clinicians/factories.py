"""Factories for clinicians and supervision."""

import datetime as dt

import factory
from django.utils import timezone

from care.models import User
from clinicians.models import Clinician, Supervision
from tests.care.factories import UserFactory


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
