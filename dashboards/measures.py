"""The counts a partnership contributes to the pre-aggregated statistics (``PlaceTally``).

Each measure is a column of ``PlaceTally``: the number of established partnerships, in a
place, field and month, that have one value of one research variable. The same names are
used by the live computation of the edges of a date range (``dashboards.statistics``).
"""

from partnerships.choices import Agreement, CoCreationType, CollaborationForm, Initiator

# Agreements the headline counts as formalised: a written agreement or a partnership
# agreement of the IOP type.
FORMAL_AGREEMENTS = (Agreement.WRITTEN, Agreement.PARTNERSHIP_AGREEMENT)


def declared(value: str) -> str:
    return f"declared_{value}"


def derived(value: str) -> str:
    return f"derived_{value}"


def cell(declared_value: str, derived_value: str) -> str:
    return f"cell_{declared_value}_{derived_value}"


def initiator(value: str) -> str:
    return f"initiator_{value}"


def agreement(value: str) -> str:
    return f"agreement_{value}"


def form(value: str) -> str:
    return f"form_{value}"


MEASURES: tuple[str, ...] = (
    "total",
    *(declared(t) for t in CoCreationType.values),
    *(derived(t) for t in CoCreationType.values),
    *(cell(a, b) for a in CoCreationType.values for b in CoCreationType.values),
    *(initiator(v) for v in Initiator.values),
    *(agreement(v) for v in Agreement.values),
    *(form(v) for v in CollaborationForm.values),
    "without_form",
    "formal",
)


def measures_of(
    *, co_creation: str, derived_type: str, initiator_value: str, agreement_value: str, forms
) -> list[str]:
    """The measures one established partnership counts 1 in."""
    names = ["total"]
    if co_creation in CoCreationType.values:
        names.append(declared(co_creation))
    if derived_type in CoCreationType.values:
        names.append(derived(derived_type))
        if co_creation in CoCreationType.values:
            names.append(cell(co_creation, derived_type))
    if initiator_value in Initiator.values:
        names.append(initiator(initiator_value))
    if agreement_value in Agreement.values:
        names.append(agreement(agreement_value))
    if agreement_value in FORMAL_AGREEMENTS:
        names.append("formal")
    names += [form(f) for f in sorted(set(forms)) if f in CollaborationForm.values]
    if not forms:
        names.append("without_form")
    return names
