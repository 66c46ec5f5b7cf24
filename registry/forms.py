from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every form in the registry renders its fields through ``templates/forms/field.html``:
    label, help text, the input, and the field's errors right beside it, tied together with
    ``aria-describedby`` so screen readers read the error with the field."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"
