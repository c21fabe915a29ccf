"""Factories shared by the test folders: drafts and records built through the records services."""

from django.core.files.uploadedfile import SimpleUploadedFile

from rdm.records import services


def draft_factory(default_owner, metadata_builder):
    """``make(user=None, *, files=True, access=None, **metadata) -> Draft`` (with one CSV file by default)."""

    def make(user=None, *, files=True, access=None, **metadata):
        owner = user or default_owner
        data = {"metadata": metadata_builder(**metadata), "files": {"enabled": files}}
        if access is not None:
            data["access"] = access
        draft = services.create_draft(owner, data)
        if files:
            services.add_files(owner, draft.pid, [SimpleUploadedFile("data.csv", b"a,b\n1,2\n")])
        return draft

    return make


def record_factory(make_draft, default_owner):
    """``make(user=None, **draft_options) -> Record``: a draft from ``make_draft``, published."""

    def make(user=None, **kwargs):
        draft = make_draft(user, **kwargs)
        return services.publish_draft(user or default_owner, draft.pid)

    return make
