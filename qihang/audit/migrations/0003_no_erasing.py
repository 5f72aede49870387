"""The audit triggers refuse every UPDATE and DELETE of an entry, of any institution.

0002's triggers let one exception through: every entry of one institution, with its chain
head, inside `chain.erasing(id)` (PostgreSQL: the transaction-local setting
qihang.audit_erase; SQLite: the guard function qihang_audit_may_erase), used when a demo or
benchmark institution was removed. That path is gone (benchmarks run in a scratch database,
`qihang demo --reset` rebuilds the database; docs/audit.md): the PostgreSQL function and the
SQLite triggers are replaced by ones without the exception. The SQLite DELETE trigger still
lets the test database flush through (qihang/audit/management/commands/flush.py).

Not reversed: the stricter triggers stay (the old guard function is no longer registered).
"""

from django.db import migrations


def replace_triggers(apps, schema_editor):
    from qihang.audit import triggers

    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain")]

    operations = [migrations.RunPython(replace_triggers, migrations.RunPython.noop)]
