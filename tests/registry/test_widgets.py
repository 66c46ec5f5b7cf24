"""The municipality and organisation pickers (registry.widgets): the plain select is always
there with the chosen options selected (a form without JavaScript still works), with the data
attributes static/js/combobox.js reads, the script loaded as a file (the Content Security
Policy allows no inline script), and the same widget on every form that chooses a
municipality or an organisation (issue 11, point 1)."""

import re

import pytest
from django import forms
from django.urls import reverse

from registry.widgets import (
    MUNICIPALITY_SEARCH,
    ORGANISATION_SEARCH,
    ComboboxSelect,
    ComboboxSelectMultiple,
)
from tests.factories import VolunteerCentreFactory, organisation_in

pytestmark = pytest.mark.django_db

CHOICES = [("1", "Oslo"), ("2", "Bergen"), ("3", "Herøy (Nordland)")]
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.I)


class PickerForm(forms.Form):
    places = forms.MultipleChoiceField(
        label="Places",
        choices=CHOICES,
        help_text="Choose places.",
        widget=ComboboxSelectMultiple(endpoint=MUNICIPALITY_SEARCH),
    )
    lead = forms.ChoiceField(
        label="Lead",
        required=False,
        choices=[("", "(none)"), *CHOICES],
        widget=ComboboxSelect(),
    )


def _select(html: str, name: str) -> str:
    """The opening tag of the select named ``name``."""
    return re.search(rf'<select name="{name}"[^>]*>', html)[0]


def _scripts_without_src(html: str) -> list[str]:
    return [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]


def test_multiple_renders_the_plain_select_with_the_chosen_selected():
    html = str(PickerForm(initial={"places": ["1", "3"]})["places"])
    tag = _select(html, "places")
    assert "multiple" in tag and 'id="id_places"' in tag
    assert 'data-combobox="multiple"' in tag
    assert f'data-endpoint="{MUNICIPALITY_SEARCH}"' in tag
    assert 'data-endpoint="/api/v1/municipalities/"' in tag
    assert '<option value="1" selected>Oslo</option>' in html
    assert '<option value="2">Bergen</option>' in html
    assert '<option value="3" selected>Herøy (Nordland)</option>' in html
    # The script's texts come from the template (translated), not from a JS catalogue.
    assert 'data-text-remove="Remove {name}"' in tag
    assert "data-text-many=" in tag and "data-text-none=" in tag
    assert "data-text-hint=" in tag
    # Without JavaScript, the plain select explains Ctrl-click.
    assert "<noscript>" in html and "hold Ctrl" in html
    assert "<script" not in html and not INLINE_HANDLER.search(html)


def test_a_bound_form_keeps_the_submitted_choices():
    form = PickerForm(data={"places": ["2"], "lead": "3"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"places": ["2"], "lead": "3"}
    html = str(form["places"]) + str(form["lead"])
    assert '<option value="2" selected>Bergen</option>' in html
    assert '<option value="3" selected>Herøy (Nordland)</option>' in html


def test_single_mode_keeps_the_empty_choice_and_searches_the_page():
    html = str(PickerForm()["lead"])
    tag = _select(html, "lead")
    assert "multiple" not in tag
    assert 'data-combobox="single"' in tag
    assert "data-endpoint" not in tag  # a short list: searched among the options
    assert '<option value="" selected>(none)</option>' in html
    assert "<noscript>" not in html


def test_the_script_and_styles_come_as_files():
    media = str(PickerForm().media)
    assert '<script src="/static/js/combobox.js" defer></script>' in media
    assert 'href="/static/css/combobox.css"' in media


def test_every_form_instance_has_its_own_endpoint():
    form = PickerForm()
    form.fields["places"].widget.endpoint = None
    assert "data-endpoint" not in _select(str(form["places"]), "places")
    assert "data-endpoint" in _select(str(PickerForm()["places"]), "places")


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _assert_no_inline_script(html: str) -> None:
    assert _scripts_without_src(html) == []
    assert '<script src="/static/js/combobox.js" defer></script>' in html
    assert 'href="/static/css/combobox.css"' in html


def test_the_coordinator_s_partnership_form_uses_the_pickers(client, roles):
    html = _page(client, roles.coordinator, reverse("partnership-create"))
    _assert_no_inline_script(html)
    municipalities = _select(html, "municipalities")
    assert 'data-combobox="multiple"' in municipalities
    assert f'data-endpoint="{MUNICIPALITY_SEARCH}"' in municipalities
    # The coordinator's own municipality is chosen already (the script shows it as a chip).
    assert (
        f'<option value="{roles.municipality.pk}" selected>{roles.municipality.name}</option>'
        in html
    )
    organisations = _select(html, "organisations")
    assert 'data-combobox="multiple"' in organisations
    assert f'data-endpoint="{ORGANISATION_SEARCH}"' in organisations
    lead = _select(html, "lead_organisation")
    assert 'data-combobox="single"' in lead
    assert f'data-endpoint="{ORGANISATION_SEARCH}"' in lead


def test_the_representative_s_form_picks_municipalities_and_ticks_its_own_organisation(
    client, roles
):
    html = _page(client, roles.representative, reverse("partnership-create"))
    _assert_no_inline_script(html)
    assert 'data-combobox="multiple"' in _select(html, "municipalities")
    # Only their own organisation is offered: a box to tick, not a search.
    assert f'type="checkbox" name="organisations" value="{roles.organisation.pk}"' in html


def test_the_organisation_form_picks_municipalities(client, roles):
    html = _page(
        client, roles.representative, reverse("organisation-edit", args=[roles.organisation.pk])
    )
    _assert_no_inline_script(html)
    tag = _select(html, "municipalities")
    assert 'data-combobox="multiple"' in tag
    assert f'data-endpoint="{MUNICIPALITY_SEARCH}"' in tag
    assert f'<option value="{roles.municipality.pk}" selected>' in html


def test_the_volunteer_centre_picks_its_organisation(client, roles):
    local = organisation_in(roles.municipality, name="Frivilligsentralen i byen")
    VolunteerCentreFactory(municipality=roles.municipality, name="Sentralen", organisation=local)
    html = _page(
        client, roles.coordinator, reverse("municipality-edit", args=[roles.municipality.pk])
    )
    _assert_no_inline_script(html)
    tag = _select(html, "centres-0-organisation")
    assert 'data-combobox="single"' in tag and "data-endpoint" not in tag
    assert f'<option value="{local.pk}" selected>Frivilligsentralen i byen</option>' in html


def test_the_endpoint_a_picker_names_finds_its_options(client, roles):
    """The script searches the widget's endpoint with ``q`` and keeps the results whose id
    is among the select's options."""
    html = _page(client, roles.coordinator, reverse("partnership-create"))
    for name, wanted in (
        ("municipalities", roles.municipality),
        ("organisations", roles.organisation),
    ):
        endpoint = re.search(r'data-endpoint="([^"]+)"', _select(html, name))[1]
        response = client.get(endpoint, {"q": wanted.name[:4], "page_size": 20, "ordering": "name"})
        assert response.status_code == 200
        ids = [row["id"] for row in response.json()["results"]]
        assert wanted.pk in ids
        assert f'<option value="{wanted.pk}"' in html
