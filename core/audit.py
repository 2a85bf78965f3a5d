"""The moderation log: every moderator action becomes a row of the admin's history (LogEntry).

It lives in `config` so that accounts and tweets can both write it: lower apps never
import higher ones (moderation), and the admin's own history view shows these rows.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

# LogEntry.object_repr is a CharField(max_length=200).
_REPR_MAX_LENGTH = 200


def moderation_message(action: str, reason: str = "") -> str:
    """The change_message of a moderation entry: the action, then the reason when there is one."""
    reason = reason.strip()
    return f"{action}. Reason: {reason}" if reason else f"{action}."


def log_moderation(*, moderator: AbstractBaseUser, obj: models.Model, action: str, reason: str = "") -> LogEntry:
    """Record that `moderator` did `action` to `obj` for `reason` (in the caller's transaction)."""
    return LogEntry.objects.create(
        user_id=moderator.pk,
        content_type_id=ContentType.objects.get_for_model(obj, for_concrete_model=False).pk,
        object_id=str(obj.pk),
        object_repr=str(obj)[:_REPR_MAX_LENGTH],
        action_flag=CHANGE,
        change_message=moderation_message(action, reason),
    )
