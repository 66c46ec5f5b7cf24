"""Every page names its icon, so browsers do not ask for a /favicon.ico that is not there
(a 404 logged on every first visit)."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/partnerships/", "/no-such-page/"])
def test_every_page_links_its_icon(client, path):
    html = client.get(path).content.decode()
    assert '<link rel="icon" href="/static/favicon' in html
    assert finders.find("favicon.svg")
