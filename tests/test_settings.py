"""Settings from the environment: both databases, production checks, health."""

import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from tests.conftest import signed_in

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#k2!q9-a-long-random-production-secret-for-the-deploy-check-only-9f3d",
    "ALLOWED_HOSTS": "marginalia.example.org",
    "DATABASE_URL": "postgres://marginalia:secret@db.internal:5432/marginalia",
    "EMAIL_HOST": "smtp.example.org",
}


def django_in_subprocess(code: str, **env) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter whose settings read the given environment."""
    # Not this process's database, nor the browser tests' async switch.
    inherited = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in inherited} | env
    full_env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=settings.BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_it_was_given():
    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected


def test_sqlite_file_when_database_url_is_unset():
    result = django_in_subprocess(
        "from django.conf import settings; d = settings.DATABASES['default']\n"
        "print(d['ENGINE'], d['NAME'])"
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        str(settings.BASE_DIR / "db.sqlite3"),
    ]


def test_postgresql_through_database_url():
    result = django_in_subprocess(
        "from django.conf import settings; d = settings.DATABASES['default']\n"
        "print(d['ENGINE'], d['NAME'], d['USER'], d['HOST'], d['PORT'], repr(d['OPTIONS']))",
        DATABASE_URL="postgres://reader:pw@db.example:5433/books",
    )
    assert result.stdout.split(maxsplit=5) == [
        "django.db.backends.postgresql",
        "books",
        "reader",
        "db.example",
        "5433",
        # No JIT compiling: a count over a long discussion took seconds with it.
        "{'options': '-c jit=off'}\n",
    ]


def test_deploy_check_is_clean_with_production_variables():
    result = django_in_subprocess(
        "from django.core.management import call_command\n"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_app_server_starts_with_its_views_caches_and_templates_loaded():
    """What a worker would otherwise load on its first requests is loaded as
    the WSGI app is, before gunicorn (--preload) forks the workers: redis-py
    among them."""
    result = django_in_subprocess(
        "import sys\n"
        "from pathlib import Path\n"
        "import config.wsgi\n"
        "from django.template import engines\n"
        "cached = engines['django'].engine.template_loaders[0].get_template_cache\n"
        "ours = [str(p.relative_to('templates')) for p in Path('templates').rglob('*.html')]\n"
        "print(len(ours), sum(name in cached for name in ours))\n"
        "print('discussions.views.reading' in sys.modules, 'redis' in sys.modules)",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    templates, compiled = result.stdout.split()[:2]
    assert int(templates) > 50 and compiled == templates
    assert result.stdout.split()[2:] == ["True", "True"]


def test_production_settings_use_manifest_static_files_and_smtp():
    result = django_in_subprocess(
        "from django.conf import settings\n"
        "print(settings.STORAGES['staticfiles']['BACKEND']); print(settings.EMAIL_BACKEND)",
        **PRODUCTION,
    )
    assert result.stdout.split() == [
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "django.core.mail.backends.smtp.EmailBackend",
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, "31536000 False False"),
        ({"SECURE_HSTS_INCLUDE_SUBDOMAINS": "1", "SECURE_HSTS_PRELOAD": "1"}, "31536000 True True"),
    ],
)
def test_hsts_covers_subdomains_and_preloading_only_when_asked(extra, expected):
    result = django_in_subprocess(
        "from django.conf import settings as s\n"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)",
        **PRODUCTION | extra,
    )
    assert result.stdout.strip() == expected


def test_production_refuses_the_development_secret_key():
    result = django_in_subprocess("", DEBUG="0")
    assert result.returncode != 0
    assert "Set SECRET_KEY when DEBUG is off." in result.stderr


@pytest.mark.django_db
def test_healthz_answers_while_the_database_does(client):
    response = client.get(reverse("healthz"))
    assert (response.status_code, response.content) == (200, b"ok\n")


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    missing = tmp_path / "no-such-folder" / "db.sqlite3"
    result = django_in_subprocess(
        "from django.test import Client\n"
        "r = Client().get('/healthz', HTTP_HOST='localhost')\n"
        "print(r.status_code, r.content.decode().strip())",
        DATABASE_URL=f"sqlite:///{missing}",
    )
    assert result.stdout.strip() == "503 database unavailable"


@pytest.mark.django_db
def test_a_refused_request_logs_one_line_without_a_traceback(client, group, member, caplog):
    signed_in(client, member)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/g/no-such-group/")
        client.get(reverse("groups:members", args=[group.slug]))
    assert [record.getMessage() for record in caplog.records] == [
        "Not Found: /g/no-such-group/",
        f"Forbidden (Permission denied): /g/{group.slug}/members/",
    ]
    assert "Traceback" not in caplog.text
