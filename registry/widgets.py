"""The picker every form uses to choose municipalities and organisations.

``ComboboxSelectMultiple`` (and ``ComboboxSelect`` for one choice) render the plain
``<select>`` with every option, so a form without JavaScript still works, plus data
attributes that ``static/js/combobox.js`` reads to turn it into an accessible combobox (the
WAI-ARIA 1.2 pattern: a text box that searches as you type, a listbox of matches, the chosen
ones as removable chips). The script asks the API's list endpoint given as ``endpoint``
(its ``q`` filter) and offers only matches that are among the select's own options, so the
form's choices stay the one truth; without an endpoint it searches the options themselves.
The texts the script shows come from the widget template, translated like the page.

This module imports no app: the forms give the endpoint (a URL, lazily reversed).
"""

from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy

#: The API list endpoints the pickers search (their router names are shared with the list
#: pages, so they are found from the API's root).
MUNICIPALITY_SEARCH = format_lazy("{}municipalities/", reverse_lazy("api-root"))
ORGANISATION_SEARCH = format_lazy("{}organisations/", reverse_lazy("api-root"))
#: How many matches the list shows at a time (the API's ``page_size``).
PAGE_SIZE = 20


class _Combobox:
    """What the single and multiple pickers share: the template, the media and the data."""

    template_name = "widgets/combobox.html"

    class Media:
        css = {"all": ["css/combobox.css"]}
        js = [forms.Script("js/combobox.js", defer=True)]

    def __init__(self, attrs=None, choices=(), *, endpoint=None):
        """``endpoint``: the API list URL to search (``?q=`` is added), or ``None`` to search
        the options in the page (a short list)."""
        super().__init__(attrs, choices)
        self.endpoint = endpoint

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["combobox"] = {
            "mode": "multiple" if self.allow_multiple_selected else "single",
            "endpoint": str(self.endpoint) if self.endpoint else "",
            "page_size": PAGE_SIZE,
        }
        return context


class ComboboxSelectMultiple(_Combobox, forms.SelectMultiple):
    """Several choices: a ``<select multiple>`` the script turns into a combobox with chips."""


class ComboboxSelect(_Combobox, forms.Select):
    """One choice: a ``<select>`` the script turns into a combobox with one chip; removing
    the chip goes back to the empty choice, if the field has one."""
