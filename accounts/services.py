"""Writes of the accounts app: registration, profiles, the follow graph, suspension."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import Signal

from accounts import signals
from accounts.models import RESERVED_USERNAMES, Follow, User

# Which field a violated unique constraint belongs to.
_CONSTRAINT_FIELDS = {
    "accounts_user_username_ci_uniq": ("username", "A user with that username already exists."),
    "accounts_user_email_ci_uniq": ("email", "A user with that email already exists."),
}


def send_on_commit(signal: Signal, **kwargs: object) -> None:
    """Announce an event once the current transaction commits."""
    transaction.on_commit(lambda: signal.send(sender=User, **kwargs), robust=True)


def user_register(*, username: str, email: str, password: str) -> User:
    """Create an account; duplicates (ignoring case) are a ValidationError on the field."""
    if username.lower() in RESERVED_USERNAMES:
        raise ValidationError({"username": ["This username is reserved."]})
    user = User(username=username, email=User.objects.normalize_email(email))
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        # Reported on the field, like every other input error.
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise _unique_violation(exc) from exc
    return user


def _unique_violation(exc: IntegrityError) -> ValidationError:
    message = str(exc)
    for constraint, (field, text) in _CONSTRAINT_FIELDS.items():
        if constraint in message:
            return ValidationError({field: [text]})
    raise exc


@transaction.atomic
def user_update_profile(*, user: User, display_name: str | None = None, bio: str | None = None) -> User:
    """Change the profile texts that a user may edit."""
    fields = []
    if display_name is not None:
        user.display_name = display_name
        fields.append("display_name")
    if bio is not None:
        user.bio = bio
        fields.append("bio")
    if fields:
        user.save(update_fields=fields)
        send_on_commit(signals.user_updated, user_id=user.pk)
    return user


def follow_create(*, follower: User, followee: User) -> tuple[Follow, bool]:
    """Follow; idempotent. Returns (follow, created); counters move only when created."""
    if follower.pk == followee.pk:
        raise ValidationError("You cannot follow yourself.")
    try:
        with transaction.atomic():
            follow = Follow.objects.create(follower=follower, followee=followee)
            User.objects.filter(pk=follower.pk).update(num_following=F("num_following") + 1)
            User.objects.filter(pk=followee.pk).update(num_followers=F("num_followers") + 1)
            send_on_commit(signals.follow_created, follower_id=follower.pk, followee_id=followee.pk)
    except IntegrityError:
        # Lost the race to a concurrent identical follow, or already following.
        return Follow.objects.get(follower=follower, followee=followee), False
    return follow, True


@transaction.atomic
def follow_delete(*, follower: User, followee: User) -> bool:
    """Unfollow; idempotent. Returns whether a follow was removed."""
    deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
    if deleted:
        User.objects.filter(pk=follower.pk).update(num_following=F("num_following") - 1)
        User.objects.filter(pk=followee.pk).update(num_followers=F("num_followers") - 1)
        send_on_commit(signals.follow_removed, follower_id=follower.pk, followee_id=followee.pk)
    return bool(deleted)


@transaction.atomic
def user_suspend(*, user: User) -> None:
    """Suspend: no more log-in, every token stops working, tweets leave feeds and search."""
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    if not user.is_active:
        return
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
    send_on_commit(signals.user_suspended, user_id=user.pk)


@transaction.atomic
def user_unsuspend(*, user: User) -> None:
    """Lift a suspension: the user may log in again and their tweets return."""
    if user.is_active:
        return
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    send_on_commit(signals.user_unsuspended, user_id=user.pk)
