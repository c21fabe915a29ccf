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


def test_openapi_schema_lists_the_records_endpoints(client):
    response = client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/records" in schema["paths"]
    assert "/api/records/{pid}/draft/actions/publish" in schema["paths"] or any(
        path.endswith("/draft/actions/publish") for path in schema["paths"]
    )


def test_swagger_ui_is_served_without_any_external_host(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def test_uploaded_files_are_not_served_from_media_root(client, settings):
    assert client.get(settings.MEDIA_URL + "anything.txt").status_code == 404
