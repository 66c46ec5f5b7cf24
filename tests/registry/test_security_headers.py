"""The production checklist: headers every page carries and Django's deployment check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/partnerships/",
        "/dashboard/",
        "/municipalities/",
        "/organisations/",
        "/api/v1/docs/",
        "/api/v1/counties/",
        "/accounts/login/",
    ],
)
def test_every_page_has_a_strict_content_security_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_pages_carry_no_inline_script_or_style(client):
    for url in ("/", "/partnerships/", "/dashboard/", "/api/v1/docs/"):
        html = client.get(url).content.decode()
        assert "<style" not in html, url
        assert ' style="' not in html, url
        for chunk in html.split("<script")[1:]:
            assert chunk.lstrip().startswith("src=") or " src=" in chunk.split(">", 1)[0], url


def test_api_docs_serve_their_start_up_script_as_a_file(client):
    page = client.get(reverse("api-docs"))
    assert b"swagger-ui" in page.content
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def production_environment() -> dict[str, str]:
    """The production environment as README documents it."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "DATABASE_URL", "CELERY"))
    }
    environment.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="registry.example.no",
        CSRF_TRUSTED_ORIGINS="https://registry.example.no",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        DJANGO_SETTINGS_MODULE="registry.settings.base",
    )
    return environment


def test_the_deployment_checklist_passes_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_redirects_to_https_and_sends_hsts():
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz', HTTP_HOST='registry.example.no');"
        "s = Client().get('/healthz', secure=True, HTTP_HOST='registry.example.no');"
        "p = Client().get('/', HTTP_HOST='registry.example.no');"
        "print(r.status_code, p.status_code, p.get('Location'),"
        " s.headers.get('Strict-Transport-Security'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    health, plain, location, hsts = result.stdout.split()[:4]
    assert health == "200"  # the container's health check over plain HTTP
    assert plain == "301" and location == "https://registry.example.no/"
    assert "max-age=31536000" in hsts
