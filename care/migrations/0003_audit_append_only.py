"""Make the audit table append-only at the database level: UPDATE and DELETE are refused."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION care_auditevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER care_auditevent_append_only BEFORE UPDATE OR DELETE ON care_auditevent
    FOR EACH ROW EXECUTE FUNCTION care_auditevent_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS care_auditevent_append_only ON care_auditevent;
DROP FUNCTION IF EXISTS care_auditevent_refuse_change();
"""
SQLITE_UP = [
    "CREATE TRIGGER care_auditevent_no_update BEFORE UPDATE ON care_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    "CREATE TRIGGER care_auditevent_no_delete BEFORE DELETE ON care_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS care_auditevent_no_update;", "DROP TRIGGER IF EXISTS care_auditevent_no_delete;"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("care", "0002_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": [POSTGRES_UP], "sqlite": SQLITE_UP}),
            _run({"postgresql": [POSTGRES_DOWN], "sqlite": SQLITE_DOWN}),
        )
    ]
