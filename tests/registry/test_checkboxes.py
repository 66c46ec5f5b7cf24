"""``registry.forms.Checkboxes`` renders what Django's ``CheckboxSelectMultiple`` renders."""

import pytest
from django import forms
from django.utils.safestring import mark_safe

from registry.forms import Checkboxes

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
