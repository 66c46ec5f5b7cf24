"""Organisation numbers of the three countries: validation, normalisation and org-id.

Municipalities have organisation numbers as well as voluntary organisations, so these
helpers live in the lowest app that needs them (with ``Country``); ``organisations``
re-exports them as ``organisations.identifiers``.

The checks themselves are python-stdnum's; this module only turns its
exceptions into messages a person can act on and knows the org-id prefixes
(the org-id.guide register lists, e.g. ``NO-BRC`` for Brønnøysundregistrene).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.dk import cvr as dk_cvr
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import (
    ValidationError as StdnumError,
)
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr

from municipalities.choices import Country

_VALIDATORS = {Country.NORWAY: no_orgnr, Country.DENMARK: dk_cvr, Country.SWEDEN: se_orgnr}

ORG_ID_PREFIXES = {Country.NORWAY: "NO-BRC", Country.DENMARK: "DK-CVR", Country.SWEDEN: "SE-BLV"}

NUMBER_NAMES = {
    Country.NORWAY: _("Norwegian organisation number (9 digits)"),
    Country.DENMARK: _("Danish CVR number (8 digits)"),
    Country.SWEDEN: _("Swedish organisation number (10 digits)"),
}


def normalise_org_number(country: str, value: str) -> str:
    """Validate ``value`` as an organisation number of ``country`` and return its compact form.

    Raises ``ValidationError`` with a message that says which number it expected and
    what is wrong with it.
    """
    module = _VALIDATORS[Country(country)]
    name = NUMBER_NAMES[Country(country)]
    try:
        return module.validate(value)
    except InvalidLength:
        message = _("“%(value)s” is not a valid %(name)s: it has the wrong number of digits.")
    except InvalidFormat:
        message = _("“%(value)s” is not a valid %(name)s: it may contain only digits.")
    except InvalidChecksum:
        message = _(
            "“%(value)s” is not a valid %(name)s: the check digit does not match. "
            "Check for a mistyped digit."
        )
    except StdnumError:
        message = _("“%(value)s” is not a valid %(name)s.")
    raise ValidationError(message, code="invalid_org_number", params={"value": value, "name": name})


def org_id(country: str, org_number: str) -> str:
    """The org-id.guide identifier, e.g. ``NO-BRC-974760673``; empty without a number."""
    if not org_number:
        return ""
    return f"{ORG_ID_PREFIXES[Country(country)]}-{org_number}"


def complete_org_number(country: str, digits: str) -> str | None:
    """``digits`` with the check digit that makes it a valid number of ``country``.

    Used to make demo and test data; returns None when no check digit fits
    (MOD11 rejects some prefixes outright).
    """
    module = _VALIDATORS[Country(country)]
    for check in "0123456789":
        if module.is_valid(digits + check):
            return digits + check
    return None
