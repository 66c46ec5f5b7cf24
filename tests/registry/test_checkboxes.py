"""``registry.forms.Checkboxes`` and ``Select`` render what Django's ``CheckboxSelectMultiple``
and ``Select`` render."""

import pytest
from django import forms
from django.utils.safestring import mark_safe

from registry.forms import Checkboxes, Select

CHOICES = [
    ("a", "A & <b>"),
    ("", "Empty value"),
    (7, "Seven"),
    ("Group & co", [("c", "C"), ("d", mark_safe("<em>D</em>"))]),
]


@pytest.mark.parametrize(
    ("value", "attrs"),
    [
        (["a", "d"], {"id": "id_x"}),
        ([], None),
        (["7"], {"id": "id_x", "class": "row & col", "aria-describedby": "id_x_error"}),
        (None, {"id": "id_x", "disabled": True, "data-off": False}),
    ],
)
def test_the_same_html_as_django(value, attrs):
    django = forms.CheckboxSelectMultiple(choices=CHOICES).render("x&y", value, attrs=attrs)
    ours = Checkboxes(choices=CHOICES).render("x&y", value, attrs=attrs)
    assert ours == django


def test_the_same_html_in_a_bound_form():
    class Form(forms.Form):
        kinds = forms.MultipleChoiceField(choices=CHOICES[:3], widget=Checkboxes, required=False)
        plain = forms.MultipleChoiceField(
            choices=CHOICES[:3], widget=forms.CheckboxSelectMultiple, required=False
        )

    form = Form({"kinds": ["a"], "plain": ["a"]})
    ours = str(form["kinds"]).replace("kinds", "NAME")
    django = str(form["plain"]).replace("plain", "NAME")
    assert ours == django and "checked" in ours


@pytest.mark.parametrize(
    ("value", "attrs"),
    [
        ("d", {"id": "id_x"}),
        ("", None),
        (7, {"id": "id_x", "class": "row & col", "aria-describedby": "id_x_error"}),
        (None, {"id": "id_x", "disabled": True, "data-off": False, "required": True}),
    ],
)
def test_the_select_renders_the_same_html_as_django(value, attrs):
    django = forms.Select(choices=CHOICES).render("x&y", value, attrs=attrs)
    ours = Select(choices=CHOICES).render("x&y", value, attrs=attrs)
    assert ours == django
    assert "<optgroup" in ours and "selected" in ours if value else True


def test_the_select_renders_the_same_html_in_a_bound_form():
    class Form(forms.Form):
        kind = forms.ChoiceField(choices=CHOICES, widget=Select, required=False)
        plain = forms.ChoiceField(choices=CHOICES, required=False)

    form = Form({"kind": "c", "plain": "c"})
    assert str(form["kind"]).replace("kind", "NAME") == str(form["plain"]).replace("plain", "NAME")
