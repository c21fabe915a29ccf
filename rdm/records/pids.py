"""Public identifiers: short random ids like InvenioRDM's ``abcde-12345`` (lowercase base32, 5-5)."""

import secrets

# Crockford's base32 without the letters people confuse with digits or each other (i, l, o, u).
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
PID_PATTERN = r"[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}"
MAX_ATTEMPTS = 20


def random_pid() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"


def new_pid() -> str:
    """A pid that no parent, draft or record uses yet (retried on the rare collision)."""
    from .models import Draft, Record, RecordParent

    for _ in range(MAX_ATTEMPTS):
        pid = random_pid()
        taken = (
            RecordParent.objects.filter(pid=pid).exists()
            or Record.objects.filter(pid=pid).exists()
            or Draft.objects.filter(pid=pid).exists()
        )
        if not taken:
            return pid
    raise RuntimeError("Could not find a free record identifier.")
