"""What a partnership contributes to the pre-aggregated statistics (``PlaceTally``).

Each measure is a column of ``PlaceTally`` and ``PlaceDayTally``. Most are counts: the
number of established partnerships, in a place, field and month, that have one value of
one research variable. The ``AMOUNTS`` are sums instead: the volunteer hours, people
reached and municipal money (per currency, in øre/öre) the partnerships report, each with
a count of the partnerships that reported it (``reported(amount)``).
"""

from decimal import Decimal

from partnerships.choices import (
    Agreement,
    CoCreationType,
    CollaborationForm,
    Currency,
    HinderingFactor,
    Initiator,
    PromotingFactor,
)

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


def promoting(value: str) -> str:
    return f"promoting_{value}"


def hindering(value: str) -> str:
    return f"hindering_{value}"


def money(currency: str) -> str:
    """The sum of the municipal contributions in ``currency``, in its minor unit."""
    return f"money_{currency.lower()}"


def reported(amount: str) -> str:
    """The partnerships that reported ``amount`` (zero included)."""
    return f"{amount}_reported"


HOURS = "hours"
REACHED = "reached"
#: Sums, not counts: big integer columns.
AMOUNTS: tuple[str, ...] = (HOURS, REACHED, *(money(c) for c in Currency.values))

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
    *(promoting(v) for v in PromotingFactor.values),
    "with_promoting",
    *(hindering(v) for v in HinderingFactor.values),
    "with_hindering",
    *AMOUNTS,
    *(reported(a) for a in AMOUNTS),
)


def minor_units(amount: Decimal | None) -> int | None:
    """A money amount (two decimals) in its currency's minor unit, exactly."""
    return None if amount is None else int((amount * 100).to_integral_value())


def contributions(
    *,
    co_creation: str,
    derived_type: str,
    initiator_value: str,
    agreement_value: str,
    forms,
    promoting_factors=(),
    hindering_factors=(),
    hours: int | None = None,
    reached: int | None = None,
    money_minor: int | None = None,
    currency: str = "",
) -> dict[str, int]:
    """What one established partnership adds to each measure (measures it adds nothing to
    are left out)."""
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
    helped = sorted(set(promoting_factors) & set(PromotingFactor.values))
    names += [promoting(v) for v in helped] + (["with_promoting"] if helped else [])
    hindered = sorted(set(hindering_factors) & set(HinderingFactor.values))
    names += [hindering(v) for v in hindered] + (["with_hindering"] if hindered else [])
    added = dict.fromkeys(names, 1)
    amounts = {HOURS: hours, REACHED: reached}
    if currency in Currency.values:
        amounts[money(currency)] = money_minor
    for name, value in amounts.items():
        if value is not None:
            added[reported(name)] = 1
            if value:
                added[name] = value
    return added
