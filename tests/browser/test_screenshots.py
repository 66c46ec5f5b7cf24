"""``make screenshots`` (demo/screenshots.py): one page photographed by a real Chromium at
the asked size, signed in as the shot says; an error page or the login page is refused,
not photographed."""

import struct

import pytest

from demo.screenshots import SIZES, Shot, take_screenshots
from tests.factories import MunicipalityFactory, PartnershipFactory, coordinator_of

pytestmark = pytest.mark.django_db(transaction=True)


def _png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])  # the IHDR chunk: width, height


def test_a_signed_in_page_is_photographed_at_phone_size_and_a_wrong_page_is_not(
    live_server, browser, tmp_path
):
    """With the browser the other browser tests use (``tests/browser/conftest.py``): a
    second Playwright in the same test session would clash with its event loop."""
    municipality = MunicipalityFactory()
    coordinator = coordinator_of(municipality, username="koordinator")
    coordinator.set_password("demo")
    coordinator.save()
    partnership = PartnershipFactory()
    phone = {"phone": SIZES["phone"]}

    written = take_screenshots(
        browser,
        live_server.url,
        tmp_path,
        [Shot("inbox", "/partnerships/inbox/", user="koordinator")],
        phone,
    )
    # Signed out, the inbox leads to the login page; a page that does not exist answers
    # 404: either stops the run instead of leaving a picture of the wrong page.
    with pytest.raises(RuntimeError, match=r"led to .*/accounts/login/"):
        take_screenshots(
            browser,
            live_server.url,
            tmp_path,
            [Shot("signed-out", "/partnerships/inbox/")],
            phone,
        )
    with pytest.raises(RuntimeError, match="answered 404"):
        take_screenshots(
            browser,
            live_server.url,
            tmp_path,
            [Shot("gone", "/partnerships/{partnership}/")],
            phone,
            paths={"partnership": partnership.pk + 1000},
        )

    assert written == [tmp_path / "inbox-phone.png"]
    assert _png_size(written[0]) == (375, 740)
    assert written[0].stat().st_size > 5_000  # a page was drawn, not a blank screen
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inbox-phone.png"]
