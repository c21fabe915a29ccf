from django import forms
from django.contrib import admin

from . import services
from .models import VocabularyEntry
from .registry import vocabulary_choices


class VocabularyEntryForm(forms.ModelForm):
    vocabulary = forms.ChoiceField(choices=vocabulary_choices)

    class Meta:
        model = VocabularyEntry
        fields = ["vocabulary", "entry_id", "title", "description", "props", "tags"]

    def clean(self):
        data = super().clean()
        errors = services.validate_content(
            title=data.get("title"), description=data.get("description"),
            props=data.get("props"), tags=data.get("tags"),
        )
        if self.instance.pk is None and data.get("vocabulary") and data.get("entry_id"):
            errors.update(services.validate_entry_id(data["vocabulary"], data["entry_id"]))
        for field, messages in errors.items():
            self.add_error("entry_id" if field == "id" else field, messages)
        return data


@admin.register(VocabularyEntry)
class VocabularyEntryAdmin(admin.ModelAdmin):
    """Staff search entries by id or English title; saving goes through the services (renames notify)."""

    form = VocabularyEntryForm
    list_display = ["entry_id", "vocabulary", "english_title", "updated"]
    list_filter = ["vocabulary"]
    search_fields = ["entry_id"]
    ordering = ["vocabulary", "position", "entry_id"]

    @admin.display(description="title (en)")
    def english_title(self, entry):
        return entry.title_in("en")

    def get_readonly_fields(self, request, obj=None):
        # The id is what records refer to: it never changes once created.
        return ["vocabulary", "entry_id", "position", "created", "updated"] if obj else []

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            queryset |= self.model.objects.filter(title__en__icontains=search_term)
        return queryset, may_have_duplicates

    def has_delete_permission(self, request, obj=None):
        return False  # records keep referring to entries; retire a term by renaming or tagging it

    def save_model(self, request, obj, form, change):
        content = {"description": obj.description, "props": obj.props, "tags": obj.tags}
        if change:
            entry = services.update_entry(
                request.user, obj.vocabulary, obj.entry_id, title=obj.title, **content
            )
        else:
            entry = services.create_entry(request.user, obj.vocabulary, obj.entry_id, obj.title, **content)
        obj.pk, obj.position = entry.pk, entry.position
        obj.created, obj.updated = entry.created, entry.updated
