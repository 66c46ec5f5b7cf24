"""Norwegian bokmål is the default language and must be complete; English is the source."""

import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "nb" / "LC_MESSAGES" / "django.po"


def test_every_string_has_a_norwegian_translation():
    catalogue = polib.pofile(str(PO))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_compiled_catalogue_matches_the_po_file(tmp_path):
    """The committed .mo is what the .po compiles to (run `make messages` after editing)."""
    fresh = tmp_path / "django.mo"
    polib.pofile(str(PO)).save_as_mofile(str(fresh))
    with fresh.open("rb") as a, PO.with_suffix(".mo").open("rb") as b:
        expected, committed = (
            gettext.GNUTranslations(a)._catalog,
            gettext.GNUTranslations(b)._catalog,
        )
    # The header ("") differs in field order between compilers; the translations must not.
    expected.pop("", None)
    committed.pop("", None)
    assert committed == expected


@pytest.mark.django_db
def test_pages_speak_norwegian_by_default_and_english_on_request(client, settings):
    settings.LANGUAGE_CODE = "nb"  # the product's default (the suite reads English)
    norwegian = client.get("/").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="nb"' in norwegian and 'lang="en"' in english
    assert "Who is it for?" in english
    assert "Who is it for?" not in norwegian


@pytest.mark.django_db
def test_api_errors_in_the_users_language(client, settings):
    from tests.factories import MunicipalityFactory, coordinator_of

    client.force_login(coordinator_of(MunicipalityFactory()))
    bodies = {
        language: client.post(
            "/api/v1/partnerships/", {}, content_type="application/json",
            HTTP_ACCEPT_LANGUAGE=language,
        ).json()
        for language in ("nb", "en")
    }  # fmt: skip
    assert bodies["en"]["detail"] == "The request has errors; see the fields named."
    assert bodies["nb"]["detail"] != bodies["en"]["detail"]
    assert bodies["nb"]["errors"]["title"] != bodies["en"]["errors"]["title"]
