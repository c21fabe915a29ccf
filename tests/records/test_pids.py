import re

import pytest

from rdm.records import pids, services
from rdm.records.pids import PID_PATTERN, random_pid

pytestmark = pytest.mark.django_db


def test_random_pids_are_lowercase_base32_in_two_groups_of_five():
    for _ in range(200):
        pid = random_pid()
        assert re.fullmatch(PID_PATTERN, pid)
        assert not set(pid) & set("ilou")


def test_a_pid_that_is_taken_is_drawn_again(owner, monkeypatch):
    taken = services.create_draft(owner, {"metadata": {}}).pid
    candidates = iter([taken, taken, "abcde-fghjk"])
    monkeypatch.setattr(pids, "random_pid", lambda: next(candidates))
    assert pids.new_pid() == "abcde-fghjk"


def test_giving_up_after_too_many_collisions(owner, monkeypatch):
    taken = services.create_draft(owner, {"metadata": {}}).pid
    monkeypatch.setattr(pids, "random_pid", lambda: taken)
    with pytest.raises(RuntimeError):
        pids.new_pid()
