"""Organisation numbers: validation, normalisation and org-id (see ``municipalities.identifiers``).

The helpers are defined in ``municipalities``, which needs them for municipalities' own
organisation numbers and sits below this app; this is the organisations app's name for them.
"""

from municipalities.identifiers import (
    NUMBER_NAMES,
    ORG_ID_PREFIXES,
    complete_org_number,
    normalise_org_number,
    org_id,
)

__all__ = [
    "NUMBER_NAMES",
    "ORG_ID_PREFIXES",
    "complete_org_number",
    "normalise_org_number",
    "org_id",
]
