"""Report reads on a read replica: with REPORTS_DATABASE_URL set, the report tables are read from the
`reports` database alias (a streaming replica of the primary), so a board pack or a whole-clinic export
never competes with clients' check-ins. Writes, migrations and everything else stay on `default`."""

from django.conf import settings
from django.db.models import Model

REPLICA = "reports"
READ_FROM_REPLICA = {"episodefact", "episodemonth"}


def reports_database() -> str:
    """The alias report reads should use: the replica when one is configured."""
    return REPLICA if REPLICA in settings.DATABASES else "default"


class ReportsReplicaRouter:
    def db_for_read(self, model: type[Model], **hints) -> str | None:
        if model._meta.app_label == "reports" and model._meta.model_name in READ_FROM_REPLICA:
            return reports_database()
        return None

    def db_for_write(self, model: type[Model], **hints) -> str | None:
        return None

    def allow_relation(self, obj1: Model, obj2: Model, **hints) -> bool | None:
        return None

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        return False if db == REPLICA else None  # a replica follows the primary's schema
