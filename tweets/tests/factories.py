"""factory_boy factories for tweets (rows only: use services to test side effects)."""

import factory

from accounts.tests.factories import UserFactory
from tweets.models import Like, Repost, Tweet


class TweetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tweet

    author = factory.SubFactory(UserFactory)
    content = factory.Sequence(lambda n: f"tweet number {n}")


class LikeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Like

    user = factory.SubFactory(UserFactory)
    tweet = factory.SubFactory(TweetFactory)


class RepostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Repost

    user = factory.SubFactory(UserFactory)
    tweet = factory.SubFactory(TweetFactory)
