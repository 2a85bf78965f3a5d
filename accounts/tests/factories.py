"""factory_boy factories for accounts."""

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Follow, User

PASSWORD = "correct-horse-battery-staple"
_HASHED: dict[str, str] = {}


def hashed_password() -> str:
    # Argon2 is slow by design: hash the shared test password once per run.
    if PASSWORD not in _HASHED:
        _HASHED[PASSWORD] = make_password(PASSWORD)
    return _HASHED[PASSWORD]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.LazyFunction(hashed_password)


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    follower = factory.SubFactory(UserFactory)
    followee = factory.SubFactory(UserFactory)
