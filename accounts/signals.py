"""Signals of the accounts app.

``user_changed(sender=User, user_id=...)``: a user, their profile or their e-mail addresses changed (or the
user was deleted); sent once the transaction commits, so listeners (the search indexer) see committed
state. ``group_changed(sender=Group, group_id=...)`` likewise for Django groups. Both are sent from model
signals, so every path (services, admin, allauth's e-mail confirmation, shell) announces its changes.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from .models import Profile, User

user_changed = Signal()
group_changed = Signal()
NOT_INDEXED_USER_FIELDS = {"last_login", "password"}  # saved on every login: no search document changes


@receiver(post_save, sender=User, dispatch_uid="accounts.create_profile")
def create_profile(sender, instance, created, raw=False, **kwargs):
    """Every user has a profile, however the user was created (sign-up, admin, shell, command)."""
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


def _announce(signal: Signal, sender, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs), robust=True)


@receiver(post_save, sender=User, dispatch_uid="accounts.user_saved")
@receiver(post_delete, sender=User, dispatch_uid="accounts.user_deleted")
def user_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields and set(update_fields) <= NOT_INDEXED_USER_FIELDS):
        return
    _announce(user_changed, User, user_id=instance.pk)


@receiver(post_save, sender=Profile, dispatch_uid="accounts.profile_saved")
@receiver(post_save, sender=EmailAddress, dispatch_uid="accounts.email_address_saved")
@receiver(post_delete, sender=EmailAddress, dispatch_uid="accounts.email_address_deleted")
def user_part_saved(sender, instance, raw=False, **kwargs):
    if not raw and instance.user_id:
        _announce(user_changed, User, user_id=instance.user_id)


@receiver(post_save, sender=Group, dispatch_uid="accounts.group_saved")
@receiver(post_delete, sender=Group, dispatch_uid="accounts.group_deleted")
def group_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _announce(group_changed, Group, group_id=instance.pk)
