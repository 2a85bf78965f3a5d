"""Writes of the accounts app: registration, profiles, the follow graph, suspension."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import auth_cache, signals
from accounts.authentication import token_error_reason
from accounts.models import RESERVED_USERNAMES, Block, Follow, Mute, User
from core.audit import log_moderation
from core.events import send_on_commit

# Which field a violated unique constraint belongs to.
_CONSTRAINT_FIELDS = {
    "accounts_user_username_ci_uniq": ("username", "A user with that username already exists."),
    "accounts_user_email_ci_uniq": ("email", "A user with that email already exists."),
}


def user_register(*, username: str, email: str, password: str, display_name: str = "", bio: str = "") -> User:
    """Create an account; duplicates (ignoring case) are a ValidationError on the field."""
    if username.lower() in RESERVED_USERNAMES:
        raise ValidationError({"username": ["This username is reserved."]})
    user = User(username=username, email=User.objects.normalize_email(email), display_name=display_name, bio=bio)
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


def _profile_text_errors(field: str, value: str) -> list[str]:
    """What is wrong with a trimmed profile text: over the column's length, or a NUL
    (PostgreSQL text cannot hold it). The native serializer checks the same; held here for
    every other caller (the Mastodon API)."""
    limit = getattr(User._meta.get_field(field), "max_length", None)
    errors = []
    if limit is not None and len(value) > limit:
        errors.append(f"Ensure this field has no more than {limit} characters.")
    if "\x00" in value:
        errors.append("Null characters are not allowed.")
    return errors


@transaction.atomic
def user_update_profile(*, user: User, display_name: str | None = None, bio: str | None = None) -> User:
    """Change the profile texts that a user may edit (None: unchanged), trimmed. Both are
    checked before either is written: an invalid one is a ValidationError that changes nothing."""
    changes = {
        field: value.strip() for field, value in (("display_name", display_name), ("bio", bio)) if value is not None
    }
    errors = {field: found for field, value in changes.items() if (found := _profile_text_errors(field, value))}
    if errors:
        raise ValidationError(errors)
    fields = list(changes)
    for field, value in changes.items():
        setattr(user, field, value)
    if fields:
        user.save(update_fields=fields)
        auth_cache.forget(user.pk)  # the display name the web pages' frame shows is cached with it
        send_on_commit(signals.user_updated, sender=User, user_id=user.pk)
    return user


def user_admin_save(*, user: User, change: bool) -> None:
    """Save a user edited in the admin; an edit is announced as user_update_profile's is (search reindexes)."""
    user.save()
    auth_cache.forget(user.pk)  # the admin may have (de)activated the account or set a password
    if change:
        send_on_commit(signals.user_updated, sender=User, user_id=user.pk)


def refresh_token_blacklist(*, user: User, refresh: str) -> None:
    """Log out: blacklist a refresh token, which must be a valid one of `user`'s."""
    try:
        token = RefreshToken(refresh)  # type: ignore[arg-type]  # the stubs want a Token; it takes the encoded one
    except TokenError as exc:
        raise ValidationError({"refresh": [token_error_reason(exc)]}) from exc
    if str(token.get("user_id")) != str(user.pk):
        raise ValidationError({"refresh": [_("Token belongs to another user.")]})
    token.blacklist()


def access_token_logout(*, user: User, jti: str | None, expires_at: float | None) -> None:
    """Log out the access token that asked for the logout: its streams close and it opens no
    new one (the REST API still takes it until it expires, as SimpleJWT does)."""
    if not jti or expires_at is None:
        return
    auth_cache.remember_logged_out(jti=jti, expires_at=expires_at)
    send_on_commit(signals.access_token_logged_out, sender=User, user_id=user.pk, jti=jti)


def _lock_pair(a: int, b: int) -> None:
    """Serialize follow and block changes between two users until the transaction ends.

    A follow racing a block would otherwise pass its "not blocked" check just before the
    block removes the (not yet committed) follow, leaving a follow across a block.
    """
    low, high = sorted((a, b))
    key = ((low << 32) ^ high) & 0x7FFFFFFFFFFFFFFF  # collisions only serialize more
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def ensure_not_blocked(*, actor: User, owner_id: int) -> None:
    """PermissionDenied when a block stands between `actor` and the owner of what they act on."""
    if actor.pk == owner_id:
        return
    pair = Block.objects.filter(user_id=owner_id, target_id=actor.pk) | Block.objects.filter(
        user_id=actor.pk, target_id=owner_id
    )
    blocker_ids = set(pair.values_list("user_id", flat=True))
    if owner_id in blocker_ids:
        raise PermissionDenied("This user has blocked you.")
    if actor.pk in blocker_ids:
        raise PermissionDenied("You are blocking this user; unblock them first.")


def user_change_email(*, user: User, email: str, current_password: str) -> User:
    """Change the email, proven by the current password; taken (ignoring case) is a 400 on email."""
    if not user.check_password(current_password):
        raise ValidationError({"current_password": ["The password is not correct."]})
    user.email = User.objects.normalize_email(email)
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError as exc:
        raise _unique_violation(exc) from exc
    return user


def follow_create(*, follower: User, followee: User) -> tuple[Follow, bool]:
    """Follow; idempotent. Returns (follow, created); counters move only when created.

    PermissionDenied while either blocks the other.
    """
    if follower.pk == followee.pk:
        raise ValidationError("You cannot follow yourself.")
    try:
        with transaction.atomic():
            _lock_pair(follower.pk, followee.pk)
            ensure_not_blocked(actor=follower, owner_id=followee.pk)
            follow = Follow.objects.create(follower=follower, followee=followee)
            User.objects.filter(pk=follower.pk).update(num_following=F("num_following") + 1)
            User.objects.filter(pk=followee.pk).update(num_followers=F("num_followers") + 1)
            send_on_commit(signals.follow_created, sender=User, follower_id=follower.pk, followee_id=followee.pk)
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
        send_on_commit(signals.follow_removed, sender=User, follower_id=follower.pk, followee_id=followee.pk)
    return bool(deleted)


def _blacklist_refresh_tokens(user: User) -> None:
    """Blacklist every outstanding refresh token of `user`: none can be refreshed any more."""
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).only("pk")
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )


@transaction.atomic
def user_suspend(*, user: User, by: User | None = None, reason: str = "") -> bool:
    """Suspend: no more log-in, every token stops working, tweets leave feeds and search.

    Returns whether it changed; a moderator's (`by`) suspension goes to the moderation log.
    """
    changed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
    user.is_active = False
    if not changed:
        return False
    auth_cache.forget(user.pk)  # the user's access tokens stop working at once
    _blacklist_refresh_tokens(user)
    send_on_commit(signals.user_suspended, sender=User, user_id=user.pk)
    if by is not None:
        log_moderation(moderator=by, obj=user, action="Suspended the user", reason=reason)
    return True


@transaction.atomic
def user_unsuspend(*, user: User, by: User | None = None, reason: str = "") -> bool:
    """Lift a suspension: the user may log in again and their tweets return. Returns whether it changed."""
    changed = User.objects.filter(pk=user.pk, is_active=False).update(is_active=True)
    user.is_active = True
    if not changed:
        return False
    auth_cache.forget(user.pk)
    send_on_commit(signals.user_unsuspended, sender=User, user_id=user.pk)
    if by is not None:
        log_moderation(moderator=by, obj=user, action="Lifted the suspension", reason=reason)
    return True


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> None:
    """Set a new password; every refresh token is blacklisted and older access tokens are refused.

    `password_changed_at` is what accounts.authentication compares access tokens' `iat` with.
    """
    if not user.check_password(old_password):
        raise ValidationError({"old_password": ["Your old password was entered incorrectly."]})
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    auth_cache.forget(user.pk)  # older access tokens are refused from the next request
    _blacklist_refresh_tokens(user)
    send_on_commit(signals.password_changed, sender=User, user_id=user.pk)


# --- blocks and mutes -------------------------------------------------------


def block_create(*, user: User, target: User) -> bool:
    """Block `target`: follows both ways are removed (counters and feeds follow). Idempotent.

    Returns whether a block was created.
    """
    if user.pk == target.pk:
        raise ValidationError("You cannot block yourself.")
    with transaction.atomic():
        _lock_pair(user.pk, target.pk)
        created = _relation_create(Block, user=user, target=target)
        if created:
            follow_delete(follower=user, followee=target)
            follow_delete(follower=target, followee=user)
            send_on_commit(signals.user_blocked, sender=User, user_id=user.pk, target_id=target.pk)
    return created


def block_delete(*, user: User, target: User) -> bool:
    """Unblock; idempotent. Follows are not restored. Returns whether a block was removed."""
    return _relation_delete(Block, signals.user_unblocked, user=user, target=target)


def mute_create(*, user: User, target: User) -> bool:
    """Mute `target`: their tweets, reposts and notifications stay out of `user`'s view.

    Follows stay. Idempotent; returns whether a mute was created.
    """
    if user.pk == target.pk:
        raise ValidationError("You cannot mute yourself.")
    with transaction.atomic():
        created = _relation_create(Mute, user=user, target=target)
        if created:
            send_on_commit(signals.user_muted, sender=User, user_id=user.pk, target_id=target.pk)
    return created


def mute_delete(*, user: User, target: User) -> bool:
    """Unmute; idempotent. Returns whether a mute was removed."""
    return _relation_delete(Mute, signals.user_unmuted, user=user, target=target)


@transaction.atomic
def _relation_delete(model: type[Block] | type[Mute], signal: Signal, *, user: User, target: User) -> bool:
    """Delete the (user, target) row if present and announce it after commit."""
    deleted, _ = model.objects.filter(user=user, target=target).delete()
    if deleted:
        send_on_commit(signal, sender=User, user_id=user.pk, target_id=target.pk)
    return bool(deleted)


def _relation_create(model: type[Block] | type[Mute], *, user: User, target: User) -> bool:
    """Insert the (user, target) row unless present; the unique constraint settles races."""
    try:
        with transaction.atomic():
            model.objects.create(user=user, target=target)
    except IntegrityError:
        return False
    return True
