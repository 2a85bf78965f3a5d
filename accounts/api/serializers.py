"""Input and output shapes of the accounts API."""

from rest_framework import serializers

from accounts.models import USERNAME_MAX_LENGTH, User, username_validator


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
    username = serializers.CharField(
        max_length=USERNAME_MAX_LENGTH, validators=[username_validator], trim_whitespace=False
    )
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )


class UserProfileInput(serializers.Serializer):
    display_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    bio = serializers.CharField(max_length=160, required=False, allow_blank=True)


class LogoutInput(serializers.Serializer):
    refresh = serializers.CharField()


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
