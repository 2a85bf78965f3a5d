"""Input and output shapes of the moderation API."""

from rest_framework import serializers

from core.fields import StrictCharField
from moderation.models import REPORT_REASON_MAX_LENGTH, Report


class ReportCreateInput(serializers.Serializer):
    # Lengths are bounded only to keep junk cheap: an unknown name or id is a 400 from the service.
    user = StrictCharField(
        required=False,
        allow_null=True,
        max_length=100,
        trim_whitespace=False,
        help_text="Username; the tweet's author if left out (or null).",
    )
    tweet = StrictCharField(
        required=False, allow_null=True, max_length=100, trim_whitespace=False, help_text="Id of the reported tweet."
    )
    reason = StrictCharField(max_length=REPORT_REASON_MAX_LENGTH, help_text="Trimmed; 1 to 1000 characters.")


class ReportOutput(serializers.ModelSerializer):
    id = serializers.CharField(read_only=True)

    class Meta:
        model = Report
        fields = ["id", "status", "created_at"]
        read_only_fields = fields
