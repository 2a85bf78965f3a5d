"""accounts.selectors.user_for_sign_in: username or email, any case; None for an unknown user, a
wrong password and a suspended user alike, each after one run of the password hasher."""

from typing import Any, ClassVar

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

from accounts.models import User
from accounts.selectors import user_for_sign_in
from accounts.services import user_suspend
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


class CountingHasher(Argon2PasswordHasher):
    """Argon2 that counts how often it hashes (to hash a new password or check one)."""

    runs: ClassVar[int] = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.runs += 1
        return super().encode(password, salt)

    def verify(self, password: str, encoded: str) -> bool:
        CountingHasher.runs += 1
        return super().verify(password, encoded)


@pytest.fixture
def hasher_runs(settings) -> Any:  # type: ignore[no-untyped-def]
    """How many times the password hasher ran since the fixture started (a callable)."""
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.runs = 0
    return lambda: CountingHasher.runs


@pytest.fixture
def alice() -> User:
    return UserFactory(username="Alice", email="Alice@Example.com")


@pytest.mark.parametrize("identifier", ["Alice", "alice", "ALICE", "alice@example.com", "ALICE@EXAMPLE.COM"])
def test_username_or_email_in_any_case(alice, identifier, hasher_runs, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        assert user_for_sign_in(identifier=identifier, password=PASSWORD) == alice
    assert hasher_runs() == 1


@pytest.mark.parametrize(
    ("identifier", "password", "suspended"),
    [
        ("nobody", PASSWORD, False),  # unknown
        ("nobody@example.com", PASSWORD, False),
        ("alice", "wrong password", False),
        ("alice", PASSWORD, True),  # the right password of a suspended user
        ("alice", "wrong password", True),
    ],
)
def test_unknown_wrong_and_suspended_alike_and_after_one_hash(
    alice, identifier, password, suspended, hasher_runs, django_assert_num_queries
) -> None:
    if suspended:
        user_suspend(user=alice)
    CountingHasher.runs = 0
    with django_assert_num_queries(1):
        assert user_for_sign_in(identifier=identifier, password=password) is None
    assert hasher_runs() == 1  # the time taken does not tell which (SECURITY.md)


@pytest.mark.parametrize(("identifier", "password"), [("", PASSWORD), ("alice", ""), ("ali\x00ce", PASSWORD)])
def test_empty_or_nul_names_nobody_without_a_query(alice, identifier, password, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        assert user_for_sign_in(identifier=identifier, password=password) is None


@pytest.mark.parametrize("identifier", ["alic_", "%", "%@example.com", "ALICE@EXAMPLE.CO_"])
def test_no_wildcards(alice, identifier) -> None:
    assert user_for_sign_in(identifier=identifier, password=PASSWORD) is None
