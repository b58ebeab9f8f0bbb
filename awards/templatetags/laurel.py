from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.translation import get_language

register = template.Library()

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}


@register.filter
def money(amount: Decimal | int | None, currency: str = "EUR") -> str:
    """``10.000 €`` in German, ``€10,000`` in English; cents only when there are any."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    places = 0 if amount == amount.to_integral_value() else 2
    number = formats.number_format(amount, places, use_l10n=True, force_grouping=True)
    symbol = _SYMBOLS.get(currency, currency)
    if (get_language() or "de").startswith("de"):
        return f"{number}\u00a0{symbol}"
    return f"{symbol}{number}"


@register.filter
def signed(value: float | None, places: int = 1) -> str:
    """``+4.6`` / ``−4.6`` (a real minus sign) / ``0.0``, localised; ``–`` for None."""
    if value is None:
        return "–"
    number = floatformat(abs(value), places)
    if round(value, places) > 0:
        return f"+{number}"
    if round(value, places) < 0:
        return f"\u2212{number}"
    return number
