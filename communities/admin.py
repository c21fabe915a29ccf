"""Admin for communities and featured entries. Every change goes through the services, as staff."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count

from . import permissions, roles, services
from .models import Community, FeaturedCommunity, Membership
from .validation import slug_errors

EDITABLE = ["title", "description", "type", "website", "curation_policy", "page",
            "visibility", "member_policy", "record_policy"]


def _error_text(error) -> str:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(getattr(error, "messages", [str(error)]))


def community_data(community: Community) -> dict:
    return {
        "metadata": {
            "title": community.title, "description": community.description, "type": community.type,
            "website": community.website, "organizations": community.organizations,
            "curation_policy": community.curation_policy, "page": community.page,
        },
        "access": {name: getattr(community, name) for name in services.ACCESS_FIELDS},
    }


class CommunityForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = ["slug", *EDITABLE, "organizations"]

    def clean_slug(self):
        errors = slug_errors(self.cleaned_data["slug"])
        if errors:
            raise ValidationError(errors)
        return self.cleaned_data["slug"].strip().lower()


class MembershipForm(forms.ModelForm):
    role = forms.ChoiceField(choices=roles.choices)

    class Meta:
        model = Membership
        fields = ["user", "group", "role", "visible"]

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("user")) == bool(cleaned.get("group")):
            raise ValidationError("Choose a user or a group (one of them).")
        return cleaned


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    form = CommunityForm
    list_display = ["slug", "title", "visibility", "type", "member_count", "created", "deleted_at"]
    list_filter = ["visibility", "type", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["slug", "title"]
    readonly_fields = ["uuid", "logo", "created", "updated", "revision_id", "deleted_at", "deletion_note"]
    fields = ["uuid", "slug", *EDITABLE, "organizations", "logo", "created", "updated", "revision_id",
              "deleted_at", "deletion_note"]
    inlines = [MembershipInline]
    actions = ["soft_delete", "sync_permissions"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(members=Count("memberships"))

    @admin.display(description="members", ordering="members")
    def member_count(self, obj):
        return obj.members

    def has_delete_permission(self, request, obj=None):
        return False  # communities are soft deleted (action), never removed from the database

    def save_model(self, request, obj, form, change):
        try:
            if not change:
                created = services.create_community(request.user, {"slug": obj.slug, **community_data(obj)})
                obj.pk, obj.uuid = created.pk, created.uuid
                return
            stored = Community.objects.get(pk=obj.pk)
            if form.cleaned_data["slug"] != stored.slug:
                services.rename_community(request.user, stored, form.cleaned_data["slug"])
            services.update_community(request.user, stored, community_data(obj))
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, _error_text(error), messages.ERROR)

    def save_formset(self, request, form, formset, change):
        community = form.instance
        changed = formset.save(commit=False)  # nothing is written; the services below do the writing
        for deleted in formset.deleted_objects:
            self._run(request, services.remove_member, request.user, deleted)
        for membership in changed:
            if membership.pk is None:
                add = services.add_group_member if membership.group_id else services.add_user_member
                self._run(request, add, request.user, community, membership.principal, membership.role,
                          visible=membership.visible)
            else:
                self._save_changed(request, membership)

    def _save_changed(self, request, membership):
        stored = Membership.objects.select_related("community").get(pk=membership.pk)
        if membership.role != stored.role:
            self._run(request, services.change_role, request.user, stored, membership.role)
        if membership.visible != stored.visible:
            self._run(request, services.change_visibility, request.user, stored, membership.visible)

    def _run(self, request, function, *args, **kwargs):
        try:
            function(*args, **kwargs)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, _error_text(error), messages.ERROR)

    @admin.action(description="Delete selected communities (tombstone)")
    def soft_delete(self, request, queryset):
        for community in queryset.filter(deleted_at__isnull=True):
            self._run(request, services.delete_community, request.user, community, "Deleted by staff.")

    @admin.action(description="Re-apply role permissions from COMMUNITIES_ROLES")
    def sync_permissions(self, request, queryset):
        for community in queryset:
            permissions.sync_community(community)
        self.message_user(request, f"Permissions synchronised for {queryset.count()} communities.")


class FeaturedForm(forms.ModelForm):
    class Meta:
        model = FeaturedCommunity
        fields = ["community", "start_date"]

    def clean_community(self):
        community = self.cleaned_data["community"]
        if community.is_deleted or not community.is_public:
            raise ValidationError("Only live public communities can be featured.")
        return community


@admin.register(FeaturedCommunity)
class FeaturedCommunityAdmin(admin.ModelAdmin):
    form = FeaturedForm
    list_display = ["community", "start_date"]
    list_select_related = ["community"]
    search_fields = ["community__slug", "community__title"]
    autocomplete_fields = ["community"]

    def save_model(self, request, obj, form, change):
        if change:
            services.update_featured(request.user, obj, obj.start_date)
        else:
            created = services.set_featured(request.user, obj.community, obj.start_date)
            obj.pk, obj.uuid = created.pk, created.uuid

    def delete_model(self, request, obj):
        services.delete_featured(request.user, obj)

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            services.delete_featured(request.user, entry)
