import pytest
from django.core.management import call_command
from django.db import connection

from qihang.demo.generator import load_demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for a test module (tests only read it). Afterwards the test
    database is emptied and its reference data restored as a serialized_rollback test's is
    (the audit log has no deletion path: the demo cannot be deleted row by row)."""
    with django_db_blocker.unblock():
        # What the migrations left (code sets, key group kinds, regions…): pytest-django keeps
        # it when a collected test uses serialized_rollback; otherwise serialize it here.
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is None:
            contents = connection.creation.serialize_db_to_string()
        logins = load_demo()
    yield logins
    with django_db_blocker.unblock():
        # As the test runner flushes: ids go on from where they were (no sequence reset).
        call_command(
            "flush",
            interactive=False,
            verbosity=0,
            reset_sequences=False,
            inhibit_post_migrate=True,
        )
        connection.creation.deserialize_db_from_string(contents)
