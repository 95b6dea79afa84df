"""Settings for running several app servers: persistent connections, the shared cache and
the task backend, all read from the environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWN = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CONN_MAX_AGE", "REDIS_URL", "TASKS_BACKEND"}


def setting(expression: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in OWN}
    result = subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print({expression})"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "imdi_reporting.settings", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_connections_are_kept_for_a_minute_and_checked_before_reuse():
    db = "settings.DATABASES['default']"
    assert setting(f"{db}['CONN_MAX_AGE'], {db}['CONN_HEALTH_CHECKS']") == "60 True"


def test_conn_max_age_is_read_from_the_environment():
    assert setting("settings.DATABASES['default']['CONN_MAX_AGE']", CONN_MAX_AGE="0") == "0"
    assert setting("settings.DATABASES['default']['CONN_MAX_AGE']", CONN_MAX_AGE="300") == "300"


def test_the_cache_is_redis_when_redis_url_is_set_and_process_memory_otherwise():
    cache = "settings.CACHES['default']['BACKEND']"
    assert setting(cache) == "django.core.cache.backends.locmem.LocMemCache"
    url = "redis://127.0.0.1:6379/0"
    assert setting(cache, REDIS_URL=url) == "django.core.cache.backends.redis.RedisCache"
    assert setting("settings.CACHES['default']['LOCATION']", REDIS_URL=url) == url


def test_sessions_are_kept_in_the_database():
    engine = "django.contrib.sessions.backends.db"
    assert setting("settings.SESSION_ENGINE") == engine


def test_tasks_run_at_once_unless_the_database_backend_is_chosen():
    backend = "settings.TASKS['default']['BACKEND']"
    assert setting(backend) == "django.tasks.backends.immediate.ImmediateBackend"
    assert setting(backend, TASKS_BACKEND="database") == "django_tasks_db.DatabaseBackend"
