from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import OPTIONAL_KINDS, Kind


class EmailPreferencesForm(forms.Form):
    """A checkbox per kind: e-mail me about it too (the in-app list has every kind)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in OPTIONAL_KINDS:
            self.fields[kind] = forms.BooleanField(label=Kind(kind).label, required=False)

    def wanted(self) -> dict[str, bool]:
        return {kind: self.cleaned_data[kind] for kind in OPTIONAL_KINDS}


EmailPreferencesForm.legend = _("E-mail me about")
