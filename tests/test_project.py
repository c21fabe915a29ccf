import subprocess
import sys

from django.conf import settings


def test_it_refuses_to_start_without_secret_key_when_debug_is_off(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "rdm.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env, capture_output=True, text=True, cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    expected = "SECRET_KEY must be set when DEBUG is off (export SECRET_KEY=... or DEBUG=1)."
    assert result.stderr.strip() == expected


def test_it_runs_celery_tasks_eagerly_without_a_broker():
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
