"""Users and the follow graph."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

USERNAME_MAX_LENGTH = 30
RESERVED_USERNAMES = frozenset({"me"})

username_validator = RegexValidator(
    r"^[A-Za-z0-9_]{1,30}\Z",
    "Use 1 to 30 ASCII letters, digits or underscores.",
    code="invalid_username",
)


class UserQuerySet(models.QuerySet):
    def active(self) -> "UserQuerySet":
        return self.filter(is_active=True)

    def visible_to(self, viewer: "User | None") -> "UserQuerySet":
        """Suspended users exist only for staff."""
        if viewer is not None and viewer.is_authenticated and viewer.is_staff:
            return self
        return self.filter(is_active=True)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> "User":
        # Log-in ignores case, as uniqueness does.
        return self.get(username__lower=username.lower())

    def create_user(self, username: str, email: str, password: str | None = None, **extra: Any) -> "User":
        user = self.model(username=username, email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. `is_active=False` means suspended by a moderator."""

    username = models.CharField(max_length=USERNAME_MAX_LENGTH, validators=[username_validator])
    email = models.EmailField(max_length=254)
    display_name = models.CharField(max_length=50, blank=True, default="")
    bio = models.CharField(max_length=160, blank=True, default="")
    is_active = models.BooleanField(default=True, help_text="Unset to suspend the account.")
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    num_tweets = models.PositiveIntegerField(default=0)
    num_followers = models.PositiveIntegerField(default=0)
    num_following = models.PositiveIntegerField(default=0)
    # Access tokens issued before this moment are refused (accounts.authentication).
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_uniq"),
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_uniq"),
        ]
        indexes = [models.Index(fields=["created_at"], name="ix_user_created")]

    def __str__(self) -> str:
        return self.username


class Follow(models.Model):
    """`follower` follows `followee`."""

    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_set", db_index=False)
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_set", db_index=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Its index also answers "does A follow B".
            models.UniqueConstraint(fields=["follower", "followee"], name="accounts_follow_uniq"),
            models.CheckConstraint(condition=~models.Q(follower=models.F("followee")), name="accounts_follow_no_self"),
        ]
        indexes = [
            # "whom does X follow", newest first.
            models.Index(fields=["follower", "-created_at"], name="ix_follow_follower_created"),
            # "who follows X", newest first; covering follower_id so fan-out reads only the index.
            models.Index(fields=["followee", "-created_at"], name="ix_follow_followee_created", include=["follower"]),
            # "X's followers by id": the keyset ranges a large fan-out is split into (feed.services).
            models.Index(fields=["followee", "follower"], name="ix_follow_followee_follower"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} -> {self.followee_id}"


class UserRelation(models.Model):
    """`user` acts on `target` (blocks or mutes them): one row per ordered pair."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="%(class)s_set", db_index=False)
    target = models.ForeignKey(User, on_delete=models.CASCADE, related_name="%(class)s_targeted_set", db_index=False)
    created_at = models.DateTimeField(default=timezone.now)

    # Names expand per model: accounts_block_uniq, accounts_mute_no_self, ix_block_target, ...
    class Meta:
        abstract = True
        constraints = [
            # Its index also answers "does A block B" and "whom does A block".
            models.UniqueConstraint(fields=["user", "target"], name="%(app_label)s_%(class)s_uniq"),
            models.CheckConstraint(
                condition=~models.Q(user=models.F("target")), name="%(app_label)s_%(class)s_no_self"
            ),
        ]
        indexes = [
            # My blocks (mutes), newest first.
            models.Index(fields=["user", "-created_at"], name="ix_%(class)s_user_created"),
            # "who blocks X": the reverse direction of every visibility check; "who mutes X": fan-out skips them.
            models.Index(fields=["target", "user"], name="ix_%(class)s_target"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.__class__.__name__.lower()}s {self.target_id}"


class Block(UserRelation):
    """`user` blocks `target`: no follows either way, no interactions, no content shown."""


class Mute(UserRelation):
    """`user` mutes `target`: the target's tweets, reposts and notifications stay out."""
