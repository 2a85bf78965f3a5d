"""Input and output shapes of the accounts API."""

from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenRefreshSerializer

from accounts.models import USERNAME_MAX_LENGTH, User, username_validator
from config.fields import StrictCharField


class UserOutput(serializers.ModelSerializer):
    id = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "bio", "created_at", "num_tweets", "num_followers", "num_following"]
        read_only_fields = fields


class UserMeOutput(UserOutput):
    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "email"]
        read_only_fields = fields


class UserRegisterInput(serializers.Serializer):
    username = StrictCharField(max_length=USERNAME_MAX_LENGTH, validators=[username_validator], trim_whitespace=False)
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"})


class UserProfileInput(serializers.Serializer):
    display_name = StrictCharField(max_length=50, required=False, allow_blank=True)
    bio = StrictCharField(max_length=160, required=False, allow_blank=True)


class LogoutInput(serializers.Serializer):
    refresh = StrictCharField()


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class TokenRefreshInput(TokenRefreshSerializer):
    """SimpleJWT's rotating refresh; a token whose user was deleted is a 401, not a 500."""

    refresh = StrictCharField()

    def validate(self, attrs: dict) -> dict[str, str]:
        try:
            return super().validate(attrs)
        except User.DoesNotExist as exc:
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account") from exc
