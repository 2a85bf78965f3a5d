"""Fixtures shared by the accounts tests."""

import pytest

from accounts.tests.factories import UserFactory


@pytest.fixture
def alice():
    return UserFactory(username="alice")


@pytest.fixture
def bob():
    return UserFactory(username="bob")
