"""What higher apps add to an applicant's pages once there is an outcome: the results app
adds the jury's feedback, the certificates app the certificate. The submissions app knows
neither: each registers a provider in its ``ready`` (docs/architecture.md, "The layering").

A provider takes the entries a page shows and the user looking, and returns for each entry
that has something the parts to show, each a template and its context. It runs a fixed
number of queries for any number of entries (the dashboard asks once for all its rows), and
it decides what the user may see: the pages call it only with entries the user may view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Submission


@dataclass(frozen=True)
class OutcomePart:
    """One block on the entry page (``template``) and, where the provider has one, a short
    line on the dashboard's row (``row_template``)."""

    template: str
    context: dict = field(default_factory=dict)
    row_template: str = ""
    order: int = 0


Provider = Callable[[Sequence["Submission"], "User"], dict[int, list[OutcomePart]]]

_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Register (or replace) the provider ``name``."""
    _providers[name] = provider


def outcome_parts(entries: Sequence[Submission], user: User) -> dict[int, list[OutcomePart]]:
    """Every registered provider's parts for ``entries``, by entry id, in their order."""
    parts: dict[int, list[OutcomePart]] = {}
    if not entries:
        return parts
    for provider in _providers.values():
        for entry_id, found in provider(entries, user).items():
            parts.setdefault(entry_id, []).extend(found)
    for found in parts.values():
        found.sort(key=lambda part: part.order)
    return parts
