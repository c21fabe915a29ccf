"""Request shapes for the OpenAPI schema. Validation itself lives in ``rdm.records.metadata`` and the
services, so pages, API and admin apply exactly the same rules."""

from rest_framework import serializers


class RecordInputSerializer(serializers.Serializer):
    metadata = serializers.JSONField(required=False, help_text="InvenioRDM metadata (title, creators...).")
    access = serializers.JSONField(required=False, help_text='{"record", "files", "embargo"}')
    files = serializers.JSONField(required=False, help_text='{"enabled": true}')


class FileKeySerializer(serializers.Serializer):
    key = serializers.CharField(max_length=255)


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(required=False)
    sort = serializers.ChoiceField(
        choices=["bestmatch", "newest", "oldest", "title", "updated"], required=False,
    )
    page = serializers.IntegerField(required=False, min_value=1)
    size = serializers.IntegerField(required=False, min_value=1, max_value=100)
    allversions = serializers.BooleanField(required=False)
