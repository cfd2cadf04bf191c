import pytest

from care.models import User
from tests.care.factories import ClinicFactory, UserFactory


@pytest.fixture
def admin_user(personas):
    return personas["admin"]


@pytest.fixture
def other_admin(db):
    return UserFactory(
        clinic=ClinicFactory(name="Elsewhere clinic"), role=User.Role.ADMIN, username="other-admin"
    )
