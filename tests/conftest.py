import pytest
from django.test import Client

from tests.factories import School, make_school


@pytest.fixture
def school(db) -> School:
    return make_school("90001", "东方音乐学院", prefix="a")


@pytest.fixture
def other_school(db) -> School:
    return make_school("90002", "江城音乐学院", prefix="b")


@pytest.fixture
def client_for():
    """client_for(user) -> a test client signed in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user, backend="qihang.accounts.backends.IdentifierBackend")
        return client

    return make
