"""Input shapes of the search API (results reuse TweetOutput and UserOutput)."""

from rest_framework import serializers

Q_MAX_LENGTH = 100


class SearchQueryInput(serializers.Serializer):
    # Trimmed, then 1..100 characters. CharField already refuses NUL and lone surrogates.
    q = serializers.CharField(min_length=1, max_length=Q_MAX_LENGTH, trim_whitespace=True)
