import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"}
    }
    clean["DJANGO_SETTINGS_MODULE"] = "imdi_reporting.settings"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def settings_value(expression: str, **env: str) -> str:
    result = run_python(f"from django.conf import settings; print({expression})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_it_defaults_to_an_sqlite_file_in_the_project_folder():
    engine = settings_value("settings.DATABASES['default']['ENGINE']", DEBUG="1")
    name = settings_value("settings.DATABASES['default']['NAME']", DEBUG="1")
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "db.sqlite3")


def test_it_reads_postgresql_from_database_url():
    url = "postgres://postgres@127.0.0.1:5432/imdi"
    assert settings_value(
        "settings.DATABASES['default']['ENGINE']", DEBUG="1", DATABASE_URL=url
    ) == ("django.db.backends.postgresql")
    assert (
        settings_value("settings.DATABASES['default']['NAME']", DEBUG="1", DATABASE_URL=url)
        == "imdi"
    )


def test_it_requires_a_secret_key_when_debug_is_off():
    result = run_python("from django.conf import settings; settings.INSTALLED_APPS", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_it_reads_hosts_and_trusted_origins():
    env = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.org, www.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://example.org",
    }
    assert settings_value("settings.ALLOWED_HOSTS", **env) == "['example.org', 'www.example.org']"
    assert settings_value("settings.CSRF_TRUSTED_ORIGINS", **env) == "['https://example.org']"
    assert settings_value("settings.DEBUG", **env) == "False"
    assert settings_value("settings.TIME_ZONE", **env) == "Europe/Oslo"


def test_a_production_configuration_passes_the_deploy_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "example.org",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
