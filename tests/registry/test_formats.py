"""Dates in each language's own style: English in the British style ("30 Nov 2026",
"30/11/2026"), Norwegian in the Norwegian ("30. november 2026", "30.11.2026")."""

import datetime

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format, number_format

from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partnership():
    return PartnershipFactory(title="Leksehjelp", start_date=datetime.date(2026, 11, 30))


def _get(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "long_date", "short_date"),
    [
        ("en", "30 Nov 2026", "30/11/2026"),
        ("nb", "30. november 2026", "30.11.2026"),
    ],
)
def test_dates_in_the_languages_own_style(client, partnership, language, long_date, short_date):
    # The partnership's page writes the start date in full, the front page in short.
    detail = _get(client, f"/partnerships/{partnership.pk}/", language)
    assert long_date in detail
    home = _get(client, "/", language)
    assert short_date in home


def test_english_is_never_american(client, partnership):
    detail = _get(client, f"/partnerships/{partnership.pk}/", "en")
    assert "Nov. 30, 2026" not in detail
    home = _get(client, "/", "en")
    assert "11/30/2026" not in home


def test_english_formats_beyond_dates():
    moment = datetime.datetime(2026, 11, 30, 14, 5)
    with translation.override("en"):
        assert date_format(moment, "DATETIME_FORMAT") == "30 Nov 2026, 14:05"
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "30/11/2026 14:05"
        assert number_format(1234567.5, decimal_pos=1, force_grouping=True) == "1,234,567.5"
    with translation.override("nb"):
        assert date_format(moment, "DATETIME_FORMAT") == "30. november 2026 14:05"


def test_english_date_input_is_day_first():
    from django import forms

    with translation.override("en"):
        field = forms.DateField()
        assert field.clean("30/11/2026") == datetime.date(2026, 11, 30)
        assert field.clean("2026-11-30") == datetime.date(2026, 11, 30)
