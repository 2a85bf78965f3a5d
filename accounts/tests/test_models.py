"""Database-level guarantees of accounts: enforced by PostgreSQL, not only by serializers."""

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Follow, User
from accounts.tests.factories import FollowFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_username_unique_ignoring_case_in_the_database():
    User.objects.create(username="Alice", email="a1@example.com")
    with pytest.raises(IntegrityError, match="accounts_user_username_ci_uniq"), transaction.atomic():
        User.objects.create(username="aLICE", email="a2@example.com")


def test_email_unique_ignoring_case_in_the_database():
    User.objects.create(username="a1", email="Same@Example.com")
    with pytest.raises(IntegrityError, match="accounts_user_email_ci_uniq"), transaction.atomic():
        User.objects.create(username="a2", email="same@example.COM")


def test_duplicate_follow_row_raises():
    follow = FollowFactory()
    with pytest.raises(IntegrityError, match="accounts_follow_uniq"), transaction.atomic():
        Follow.objects.create(follower=follow.follower, followee=follow.followee)


def test_self_follow_is_refused_by_a_check_constraint():
    user = UserFactory()
    with pytest.raises(IntegrityError, match="accounts_follow_no_self"), transaction.atomic():
        Follow.objects.create(follower=user, followee=user)


def test_counters_cannot_go_negative():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(num_followers=-1)


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def test_named_indexes_and_constraints_exist():
    names = _index_names("accounts_user")
    assert {"accounts_user_username_ci_uniq", "accounts_user_email_ci_uniq", "ix_user_created"} <= names
    names = _index_names("accounts_follow")
    assert {
        "accounts_follow_uniq",
        "accounts_follow_no_self",
        "ix_follow_follower_created",
        "ix_follow_followee_created",
    } <= names


def test_follow_indexes_are_ordered_by_time():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'accounts_follow' AND indexname LIKE 'ix_%%'"
        )
        defs = dict(cursor.fetchall())
    assert "(follower_id, created_at DESC)" in defs["ix_follow_follower_created"]
    assert "(followee_id, created_at DESC)" in defs["ix_follow_followee_created"]
    assert "INCLUDE (follower_id)" in defs["ix_follow_followee_created"]


def test_login_lookup_ignores_case():
    user = UserFactory(username="CamelCase")
    assert User.objects.get_by_natural_key("camelcase") == user
    assert User.objects.get_by_natural_key("CAMELCASE") == user


def test_auth_user_model_is_custom(settings):
    assert settings.AUTH_USER_MODEL == "accounts.User"
    from django.contrib.auth import get_user_model

    assert get_user_model() is User
