from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from . import services
from .models import PersonalAccessToken, Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["full_name", "affiliations", "visibility", "email_visibility"]


class TokenInline(admin.TabularInline):
    model = PersonalAccessToken
    extra = 0
    can_delete = False
    fields = ["name", "prefix", "created", "last_used", "expires", "revoked"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["email", "username"]
        field_classes = {}


class UserChangeFormForEmail(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeFormForEmail
    add_form = UserCreationForm
    inlines = [ProfileInline, TokenInline]
    ordering = ["email"]
    list_display = ["email", "username", "full_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "username", "profile__full_name"]
    list_select_related = ["profile"]
    fieldsets = [
        (None, {"fields": ["email", "username", "password"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {
            "classes": ["wide"],
            "fields": ["email", "username", "usable_password", "password1", "password2"],
        }),
    ]

    def get_inlines(self, request, obj):
        # A new user gets its profile from the post_save signal; it is edited once the user exists.
        return self.inlines if obj else []

    @admin.display(description="full name", ordering="profile__full_name")
    def full_name(self, obj):
        return obj.profile.full_name if hasattr(obj, "profile") else ""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or "email" in form.changed_data:
            services.ensure_primary_email(obj)
