"""Settings: production passes the deploy check and needs a secret key; base defaults are local."""

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "DEMO_"))
    }
    environment.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_fail_fast_without_a_secret_key(tmp_path):
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY måste vara satt i produktion" in result.stderr


def test_base_settings_default_to_sqlite_in_the_project_and_swedish(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("DJANGO_", "DATABASE_URL", "CELERY_")):
            monkeypatch.delenv(name)
    base = runpy.run_path(str(BASE_DIR / "config" / "settings" / "base.py"))
    database = base["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == BASE_DIR / "db.sqlite3"
    assert base["LANGUAGE_CODE"] == "sv"
    assert base["TIME_ZONE"] == "Europe/Stockholm"
    assert base["USE_TZ"] is True
    assert base["DEBUG"] is False
    assert base["CELERY_TASK_ALWAYS_EAGER"] is True


def test_base_settings_follow_database_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example:5432/riskmgmt")
    base = runpy.run_path(str(BASE_DIR / "config" / "settings" / "base.py"))
    assert base["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert base["DATABASES"]["default"]["NAME"] == "riskmgmt"


def test_a_broker_url_turns_eager_mode_off(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
    base = runpy.run_path(str(BASE_DIR / "config" / "settings" / "base.py"))
    assert base["CELERY_TASK_ALWAYS_EAGER"] is False
