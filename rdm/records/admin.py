import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.html import format_html

from . import services
from .models import Draft, Record


def _run_for_each(modeladmin, request, queryset, action, done_message):
    done = 0
    for obj in queryset:
        try:
            action(request.user, obj.pid)
            done += 1
        except ValidationError as error:
            errors = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
            modeladmin.message_user(request, f"{obj.pid}: {errors}", messages.ERROR)
        except (PermissionDenied, Http404) as error:
            modeladmin.message_user(request, f"{obj.pid}: {error}", messages.ERROR)
    if done:
        modeladmin.message_user(request, done_message.format(count=done), messages.SUCCESS)


class RecordStateAdmin(admin.ModelAdmin):
    list_display = [
        "pid", "title", "owner_email", "access_record", "access_files", "embargo_until", "updated",
    ]
    list_filter = ["access_record", "access_files", "embargo_active", "files_enabled"]
    search_fields = ["pid", "metadata__title", "parent__owner__email"]
    list_select_related = ["parent__owner"]
    readonly_fields = ["pid", "parent", "version_index", "metadata_json", "access_record", "access_files",
                       "embargo_active", "embargo_until", "embargo_reason", "files_enabled", "revision_id",
                       "created", "updated", "file_list"]
    exclude = ["metadata"]

    def has_add_permission(self, request):
        return False

    # State changes go through the services (admin actions), never through a raw model form.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="owner", ordering="parent__owner__email")
    def owner_email(self, obj):
        return obj.parent.owner.email

    @admin.display(description="metadata")
    def metadata_json(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.metadata, indent=2, ensure_ascii=False))

    @admin.display(description="files")
    def file_list(self, obj):
        entries = [f"{entry.key} ({entry.blob.size if entry.blob else 0} bytes, {entry.status})"
                   for entry in obj.file_entries.select_related("blob")]
        return format_html("<pre>{}</pre>", "\n".join(entries) or "-")


@admin.register(Record)
class RecordAdmin(RecordStateAdmin):
    list_display = [*RecordStateAdmin.list_display, "version_index", "is_latest"]
    actions = ["lift_embargo_now"]

    @admin.action(description="Lift the embargo now")
    def lift_embargo_now(self, request, queryset):
        _run_for_each(self, request, queryset, services.lift_embargo, "Lifted {count} embargo(es).")


@admin.register(Draft)
class DraftAdmin(RecordStateAdmin):
    actions = ["publish", "discard"]

    @admin.action(description="Publish the selected drafts")
    def publish(self, request, queryset):
        _run_for_each(self, request, queryset, services.publish_draft, "Published {count} draft(s).")

    @admin.action(description="Discard the selected drafts")
    def discard(self, request, queryset):
        _run_for_each(self, request, queryset, services.delete_draft, "Discarded {count} draft(s).")
