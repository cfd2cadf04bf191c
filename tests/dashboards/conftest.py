import pytest

from tests.dashboards.factories import seed_caseload


@pytest.fixture
def rich_case(personas):
    """The owner's caseload: three clients with eight weeks of sessions, check-ins, flags, plan, goals."""
    return seed_caseload(personas["owner"], clients=3, sessions=8, flag_every=2, prefix="R")
