"""Input and output shapes of the accounts API."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings

from accounts.models import USERNAME_MAX_LENGTH, User, username_validator
from accounts.tokens import RefreshToken, issued_before
from core.fields import StrictCharField


class UserOutput(serializers.ModelSerializer):
    id = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "bio", "created_at", "num_tweets", "num_followers", "num_following"]
        read_only_fields = fields


class RelationshipOutput(serializers.Serializer):
    following = serializers.BooleanField(help_text="You follow this user.")
    followed_by = serializers.BooleanField(help_text="This user follows you.")
    blocking = serializers.BooleanField(help_text="You block this user.")
    muting = serializers.BooleanField(help_text="You mute this user.")


class UserProfileOutput(UserOutput):
    """A user as another signed-in user sees them: with `relationship` (absent on one's own)."""

    relationship = RelationshipOutput(required=False, help_text="Absent when you look at yourself.")

    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "relationship"]
        read_only_fields = fields


def profile_data(user: User, relationship: dict[str, bool] | None) -> dict:
    """UserOutput's fields, plus the viewer's relationship when there is one."""
    data = dict(UserOutput(user).data)
    if relationship is not None:
        data["relationship"] = relationship
    return data


class UserMeOutput(UserOutput):
    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "email"]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "string",
        "minLength": 1,
        "maxLength": USERNAME_MAX_LENGTH,
        # ASCII letters, digits and _, except the reserved `me` (any case).
        "pattern": rf"^(?![Mm][Ee]$)[A-Za-z0-9_]{{1,{USERNAME_MAX_LENGTH}}}$",
    }
)
class UsernameField(StrictCharField):
    """A new username: the pattern, and `me` refused by the service (it names the viewer in paths)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_length=USERNAME_MAX_LENGTH, validators=[username_validator], trim_whitespace=False, **kwargs
        )


class UserRegisterInput(serializers.Serializer):
    username = UsernameField()
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"})
    display_name = StrictCharField(max_length=50, required=False, allow_blank=True)
    bio = StrictCharField(max_length=160, required=False, allow_blank=True)


# Keys of the user object a client may send back by mistake: a 400 naming them, never silence.
_READ_ONLY_PROFILE_FIELDS = {
    "username": "Usernames cannot be changed.",
    "password": "Change the password with POST /api/auth/password/.",
    "id": "This field is read-only.",
    "created_at": "This field is read-only.",
    "num_tweets": "This field is read-only.",
    "num_followers": "This field is read-only.",
    "num_following": "This field is read-only.",
    "is_staff": "This field is read-only.",
    "is_active": "This field is read-only.",
    "is_superuser": "This field is read-only.",
}


class UserProfileInput(serializers.Serializer):
    """Profile texts; the email too, with the current password."""

    display_name = StrictCharField(max_length=50, required=False, allow_blank=True)
    bio = StrictCharField(max_length=160, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False)
    current_password = StrictCharField(
        write_only=True,
        required=False,
        max_length=128,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Required with `email`.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = {key: [message] for key, message in _READ_ONLY_PROFILE_FIELDS.items() if key in self.initial_data}
        if "email" in attrs and "current_password" not in attrs:
            errors["current_password"] = ["Give your current password to change the email."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class LogoutInput(serializers.Serializer):
    refresh = StrictCharField()


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class TokenRefreshInput(TokenRefreshSerializer):
    """SimpleJWT's rotating refresh; a token whose user was deleted is a 401, not a 500."""

    refresh = StrictCharField()
    token_class = RefreshToken  # accounts.tokens: precise `iat`

    def validate(self, attrs: dict) -> dict[str, str]:
        refuse_if_issued_before_password_change(self.token_class(attrs["refresh"]))
        try:
            return super().validate(attrs)
        except User.DoesNotExist as exc:
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account") from exc


# --- password change and precise-iat tokens (moderation task) ---------------------


def refuse_if_issued_before_password_change(refresh: RefreshToken) -> None:
    """A refresh token older than the password change is refused, even if it escaped the blacklist.

    A refresh racing the change (read before the blacklisting, rotated after it) would
    otherwise hand out a new pair; one indexed query, on refresh only.
    """
    user_id = refresh.get(api_settings.USER_ID_CLAIM)
    changed_at = User.objects.filter(pk=user_id).values_list("password_changed_at", flat=True).first()
    if issued_before(refresh, changed_at):
        raise AuthenticationFailed(
            "Token was issued before the last password change; log in again.", "password_changed"
        )


class TokenObtainInput(TokenObtainPairSerializer):
    """SimpleJWT's log-in, issuing tokens with a precise `iat` (accounts.tokens)."""

    token_class = RefreshToken


class PasswordChangeInput(serializers.Serializer):
    old_password = StrictCharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    new_password = StrictCharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
