"""Request shapes for the OpenAPI schema. Validation itself lives in ``rdm.records.metadata`` and the
services, so pages, API and admin apply exactly the same rules."""

from rest_framework import serializers


class RecordInputSerializer(serializers.Serializer):
    metadata = serializers.JSONField(required=False, help_text="InvenioRDM metadata (title, creators...).")
    access = serializers.JSONField(required=False, help_text='{"record", "files", "embargo"}')
    files = serializers.JSONField(required=False, help_text='{"enabled": true}')


class FileKeySerializer(serializers.Serializer):
    key = serializers.CharField(max_length=255)

