"""Expired sessions are deleted every night (Celery beat), live ones kept."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import clear_expired_sessions

pytestmark = pytest.mark.django_db


def test_the_nightly_task_deletes_expired_sessions_only(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["clear-expired-sessions"]
    assert entry["task"] == clear_expired_sessions.name
    live, expired = SessionStore(), SessionStore()
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=1)
    )
    clear_expired_sessions.apply()
    assert set(Session.objects.values_list("session_key", flat=True)) == {live.session_key}
