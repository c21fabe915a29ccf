"""Domain outcomes that are not errors of the caller: views turn them into redirects and tombstones."""


class SlugMoved(Exception):
    """The requested slug is an old one; the community now lives at ``community.slug``."""

    def __init__(self, community):
        super().__init__(f"The community moved to {community.slug!r}.")
        self.community = community


class CommunityDeleted(Exception):
    """The community was deleted; callers show its tombstone (410 Gone)."""

    def __init__(self, community):
        super().__init__("The community has been deleted.")
        self.community = community
