"""Signals are sent once the transaction commits, so the indexer can react to committed state."""

from communities import services, signals
from communities.models import Membership

from .conftest import community_data, make_user


class Recorder:
    def __init__(self, signal):
        self.calls = []
        signal.connect(self, weak=False)
        self.signal = signal

    def __call__(self, sender, signal=None, **kwargs):
        self.calls.append(kwargs)

    def disconnect(self):
        self.signal.disconnect(self)


def test_community_changed_after_commit(db, django_capture_on_commit_callbacks):
    recorder = Recorder(signals.community_changed)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            community = services.create_community(make_user("a@example.org"), community_data("sig"))
        assert recorder.calls == []  # nothing before the commit
        for callback in callbacks:
            callback()
        assert {"community": community} in recorder.calls
    finally:
        recorder.disconnect()


def test_membership_changed_on_role_change(public, django_capture_on_commit_callbacks):
    recorder = Recorder(signals.membership_changed)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.change_role(public.owner, Membership.objects.get(user=public.reader), "curator")
        assert recorder.calls[-1]["user"] == public.reader
        assert recorder.calls[-1]["group"] is None
    finally:
        recorder.disconnect()


def test_records_changed_on_include(public, make_record, django_capture_on_commit_callbacks):
    recorder = Recorder(signals.community_records_changed)
    record = make_record(public.owner)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.include_record(public.staff, public.community, record)
        assert recorder.calls == [{"community": public.community, "parent": record.parent}]
    finally:
        recorder.disconnect()
