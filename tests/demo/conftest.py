import pytest

from qihang.demo.generator import load_demo, reset_demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for a test module (tests only read it), removed afterwards."""
    with django_db_blocker.unblock():
        reset_demo()
        logins = load_demo()
    yield logins
    with django_db_blocker.unblock():
        reset_demo()
