from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person. Logs in with the e-mail address; the username is optional but unique when given."""

    username = models.CharField(
        max_length=150,
        unique=True,
        null=True,
        blank=True,
        validators=[UnicodeUsernameValidator()],
        help_text="Optional. Letters, digits and @/./+/-/_ only.",
    )
    email = models.EmailField("e-mail address", unique=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    def save(self, *args, **kwargs):
        if self.username == "":
            self.username = None
        self.email = (self.email or "").lower()
        super().save(*args, **kwargs)

    def __str__(self):
        return self.email


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    RESTRICTED = "restricted", "Restricted"


class Profile(models.Model):
    """Profile and preferences of a user, as InvenioRDM's user profile and preferences."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField("full name", max_length=255, blank=True)
    affiliations = models.JSONField(default=list, blank=True, help_text="A list of affiliation names.")
    visibility = models.CharField(
        "profile visibility", max_length=10, choices=Visibility.choices, default=Visibility.RESTRICTED
    )
    email_visibility = models.CharField(
        "e-mail visibility", max_length=10, choices=Visibility.choices, default=Visibility.RESTRICTED
    )
    updated = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.full_name or str(self.user)


class PersonalAccessToken(models.Model):
    """An API token. Only its SHA-256 hash is stored; the prefix lets its owner recognise it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=16, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now) -> bool:
        return self.revoked is None and (self.expires is None or self.expires > now)
