from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


class FormRenderer(TemplatesSetting):
    """Every form in the registry renders its fields through ``templates/forms/field.html``:
    label, help text, the input, and the field's errors right beside it, tied together with
    ``aria-describedby`` so screen readers read the error with the field."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"


def _attributes(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html`` in Python."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class Checkboxes(forms.CheckboxSelectMultiple):
    """Django's ``CheckboxSelectMultiple``, the same HTML to the byte, rendered in Python.

    Django renders each checkbox through three nested templates; the partnership list's ~50
    filter checkboxes took a fifth of the page's time that way, on every request.
    ``tests/registry/test_checkboxes.py`` compares both renderings."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        own = widget["attrs"]
        parts = [
            "<div",
            f' id="{conditional_escape(own["id"])}"' if own.get("id") else "",
            f' class="{conditional_escape(own["class"])}"' if own.get("class") else "",
            ">",
        ]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{conditional_escape(group)}</label>")
            for option in options:
                parts.append("<div>\n    ")
                parts.append(self._option(option))
                parts.append("\n</div>")
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return mark_safe("".join(parts))

    @staticmethod
    def _option(option: dict) -> str:
        attrs = option["attrs"]
        value = option["value"]
        html = (
            f'<input type="{option["type"]}" name="{conditional_escape(option["name"])}"'
            + ("" if value is None else f' value="{conditional_escape(str(value))}"')
            + _attributes(attrs)
            + ">\n"
        )
        if not option["wrap_label"]:
            return html
        label_for = f' for="{conditional_escape(attrs["id"])}"' if attrs.get("id") else ""
        return f"<label{label_for}>{html} {conditional_escape(option['label'])}</label>\n"


class Select(forms.Select):
    """Django's ``Select``, the same HTML to the byte, rendered in Python.

    Django renders each option through two templates; a select of Sweden's 290
    municipalities in their regions took a fifth of a second a request that way.
    ``tests/registry/test_checkboxes.py`` compares both renderings."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [
            f'<select name="{conditional_escape(widget["name"])}"',
            _attributes(widget["attrs"]),
            ">",
        ]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f'\n  <optgroup label="{conditional_escape(group)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attributes(option['attrs'])}>{conditional_escape(option['label'])}"
                    "</option>\n"
                )
            if group:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))
