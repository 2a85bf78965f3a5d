"""Fixtures shared by the tweets tests."""

import pytest

from accounts.tests.factories import UserFactory


@pytest.fixture
def alice():
    return UserFactory(username="alice")


@pytest.fixture
def bob():
    return UserFactory(username="bob")


@pytest.fixture
def staff():
    return UserFactory(username="moderator", is_staff=True)
