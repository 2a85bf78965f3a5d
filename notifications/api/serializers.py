"""Input and output shapes of the notifications API.

NotificationOutput declares its fields for the OpenAPI schema and renders with a plain
function, like TweetOutput: the tweet inside is exactly the tweets API's tweet object.
"""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import StrictCharField
from notifications.models import Notification
from tweets.api.serializers import TweetOutput, iso_utc, tweet_to_dict
from tweets.selectors import parse_tweet_id


def notification_to_dict(notification: Notification) -> dict[str, Any]:
    """The API's notification object (the tweet prepared by notifications.selectors.notification_page)."""
    return {
        "id": str(notification.pk),
        "type": notification.type,
        "actor": {"id": str(notification.actor_id), "username": notification.actor.username},
        "tweet": None if notification.tweet_id is None else tweet_to_dict(notification.tweet),
        "created_at": iso_utc(notification.created_at),
        "read": notification.read,
    }


@extend_schema_field(
    {"type": "string", "enum": list(Notification.Type.values), "description": "What the actor did."},
    component_name="NotificationType",  # a project-unique name, not drf-spectacular's generic TypeEnum
)
class NotificationTypeField(serializers.ChoiceField):
    pass


class NotificationActorOutput(serializers.Serializer):
    id = serializers.CharField()
    username = serializers.CharField()


class NotificationOutput(serializers.Serializer):
    id = serializers.CharField(help_text="Opaque; ids grow with time (a bound for `read/`).")
    type = NotificationTypeField(choices=Notification.Type.choices)
    actor = NotificationActorOutput(help_text="Who followed, liked, reposted, replied or mentioned.")
    tweet = TweetOutput(
        allow_null=True,
        help_text="The liked or reposted tweet (yours), or the reply or mentioning tweet; null for a follow.",
    )
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField()

    def to_representation(self, instance: Notification) -> dict[str, Any]:
        return notification_to_dict(instance)


class UnreadCountOutput(serializers.Serializer):
    count = serializers.IntegerField(help_text="Unread notifications that the list would show.")


class NotificationReadInput(serializers.Serializer):
    up_to = StrictCharField(
        required=False,
        allow_null=True,
        trim_whitespace=False,  # " 12" is not an id's canonical form
        help_text="A notification id: mark that one and every older one read. Absent or null: all.",
    )

    def validate_up_to(self, value: str | None) -> int | None:
        if value is None:
            return None
        try:
            return parse_tweet_id(value)  # the same canonical-id rule as tweet ids
        except Http404:
            raise serializers.ValidationError("Must be a notification id (a string of digits).") from None
