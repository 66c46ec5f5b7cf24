"""Django REST Framework's error messages that its own Norwegian catalogue lacks.

They are listed here only so that ``makemessages`` copies them into the registry's catalogue
(``locale/nb``), which Django consults before DRF's: an API answer in Norwegian then says
"Ikke en gyldig tekst." instead of "Not a valid string.". Nothing imports this module.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = (
    gettext_noop("Datetime value out of range."),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    gettext_noop(
        'Enter a valid "slug" consisting of Unicode letters, numbers, underscores, or hyphens.'
    ),
    gettext_noop('Invalid datetime for the timezone "{timezone}".'),
    gettext_noop("Invalid input."),
    gettext_noop("Must be a valid UUID."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Not a valid string."),
    gettext_noop("Surrogate characters are not allowed: U+{code_point:X}."),
    gettext_noop("This dictionary may not be empty."),
    ngettext_lazy(
        "Expected available in {wait} second.", "Expected available in {wait} seconds.", "wait"
    ),
)
