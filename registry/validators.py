"""Text people write into the registry: no control characters.

A control character (C0: U+0000–U+001F and U+007F; C1: U+0080–U+009F) is invisible on a
page, cannot be written into an Excel file (XML has no place for most of them) and breaks
other people's tools reading the open data. The registry refuses them where text comes in
— the API, the page forms and the CSV import — rather than mending them on the way out.

The rule, in one place:

- a single-line field (a model ``CharField``: titles, names, phone numbers, addresses)
  refuses every C0 and C1 control character, tab, newline and carriage return included: a
  line break in a title is a mistake (a pasted cell), and the lists, CSV and Excel show a
  title on one line;
- a multi-line field (a model ``TextField``: descriptions, outcomes, comments) allows tab,
  newline and carriage return, and refuses the rest.

The validators are attached to the model fields users write, so ``full_clean`` — which
every write service calls, and so the API, the pages and the importer — refuses the value
with the field named; the message gives the character's code point and its position, since
it cannot be seen.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

#: Line breaks and tabs: allowed in multi-line text only.
LAYOUT_CHARACTERS = "\t\n\r"
#: Every C0 and C1 control character (U+0000–U+001F, U+007F–U+009F).
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")
#: The control characters multi-line text refuses: all but tab, newline and carriage return.
MULTI_LINE_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_NAMES = {"\t": _("a tab"), "\n": _("a line break"), "\r": _("a line break")}


def first_control_character(value: str, *, multiline: bool = False) -> re.Match | None:
    """The first control character ``value`` may not hold, or None."""
    pattern = MULTI_LINE_REFUSED if multiline else CONTROL_CHARACTERS
    return pattern.search(value)


@deconstructible
class ControlCharacterValidator:
    """Refuses text holding a control character; ``multiline`` allows tab, newline and CR."""

    code = "control_character"

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        found = first_control_character(value, multiline=self.multiline)
        if found is None:
            return
        character = found.group()
        params = {"code": f"U+{ord(character):04X}", "position": found.start() + 1}
        if character in LAYOUT_CHARACTERS:
            params["name"] = _NAMES[character]
            message = _(
                "Must be on one line: contains %(name)s (%(code)s) at character "
                "%(position)s. Remove it."
            )
        else:
            message = _(
                "Contains a control character (%(code)s) at character %(position)s, which is "
                "not allowed. Remove it (it is invisible; it often comes with text pasted "
                "from another program)."
            )
        raise ValidationError(message, code=self.code, params=params)

    def __eq__(self, other) -> bool:
        return isinstance(other, ControlCharacterValidator) and self.multiline == other.multiline

    def __hash__(self) -> int:
        return hash((type(self), self.multiline))


#: For single-line text (model ``CharField``, ``URLField``): no control character at all.
validate_single_line_text = ControlCharacterValidator()
#: For multi-line text (model ``TextField``): tab, newline and carriage return allowed.
validate_multi_line_text = ControlCharacterValidator(multiline=True)
