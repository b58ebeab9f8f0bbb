"""The organisers' overview of an edition (``/manage/<slug>/``): figures at a glance and the
next steps, in panels.

This app knows the award, its timeline and its structure, and nothing of entries, jurors,
mails or decisions. The apps that do register a panel here in their ``AppConfig.ready``
(``submissions``, ``jury``, ``notifications``, ``results``; as they register the audiences
of announcements with ``notifications.audiences``), so this app imports none of them. A
panel's builder takes the award (and the moment to count from) and returns its figures, its
next steps and the template that shows its tables; it runs a fixed number of aggregate
queries whatever the number of entries, jurors or mails, so the page does too.

Next steps are sentences with a link to the page where the step is done; the overview lists
the steps of every panel, the most urgent first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.formatting import format_moment

from .enums import AwardStatus
from .models import TIMELINE, Award

# A deadline this close counts as "soon" (a step says so, figures turn yellow).
SOON = dt.timedelta(days=7)


class Urgency(IntEnum):
    """How soon a step must be done; the overview lists the lowest first."""

    NOW = 0  # something failed or is late
    SOON = 1  # a deadline is near
    NEXT = 2  # the next thing to do in the edition's course
    LATER = 3  # worth doing, nothing waits for it


@dataclass(frozen=True)
class Figure:
    """One figure at a glance: a label, its value (formatted), a sentence under it, where to
    act on it, and a tone ("", "success", "warning", "danger"). ``key`` names it for tests and
    scripts (``data-figure``)."""

    key: str
    label: str
    value: str
    note: str = ""
    url: str = ""
    tone: str = ""


@dataclass(frozen=True)
class Step:
    """A next step: what is to be done, in a sentence, and the page where it is done (``link``
    is the link's text). ``key`` names it for tests and scripts (``data-step``)."""

    key: str
    text: str
    url: str
    link: str
    urgency: Urgency = Urgency.NEXT


@dataclass
class Panel:
    """What one app shows on the overview: figures, next steps, and ``template`` (included
    with ``panel`` in its context) for its tables, with ``context`` for that template."""

    key: str
    title: str
    template: str = ""
    figures: list[Figure] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


PanelBuilder = Callable[..., Panel | None]
_PANELS: dict[str, tuple[int, PanelBuilder]] = {}


def panel_register(key: str, builder: PanelBuilder, *, order: int) -> None:
    """Show the panel ``builder(award, now=…)`` builds on every edition's overview, after the
    panels of a lower ``order``. Registering a key again replaces its builder."""
    _PANELS[key] = (order, builder)


@dataclass
class Overview:
    panels: list[Panel]
    steps: list[Step]


def overview_for(award: Award, *, now: dt.datetime | None = None) -> Overview:
    """The edition's panels (its own first, then the registered ones by order) and their
    next steps, the most urgent first (in panel order within the same urgency)."""
    now = now or timezone.now()
    panels = [edition_panel(award, now=now)]
    for order, builder in sorted(_PANELS.values(), key=lambda item: item[0]):
        panel = builder(award, now=now)
        if panel is not None:
            panel.order = order
            panels.append(panel)
    ranked = [
        (step.urgency, position, index, step)
        for position, panel in enumerate(panels)
        for index, step in enumerate(panel.steps)
    ]
    return Overview(panels=panels, steps=[item[3] for item in sorted(ranked, key=_rank)])


def _rank(item: tuple) -> tuple[int, int, int]:
    return item[0], item[1], item[2]


# --- Time in words -------------------------------------------------------------------------


def countdown(moment: dt.datetime, now: dt.datetime) -> str:
    """How far ``moment`` is from ``now``, in words: "in 3 days", "in 5 hours", "2 days ago"."""
    seconds = (moment - now).total_seconds()
    if seconds > 0:
        days, hours = int(seconds // 86400), int(seconds // 3600)
        if days >= 2:
            return ngettext("in %(count)d day", "in %(count)d days", days) % {"count": days}
        if hours >= 1:
            return ngettext("in %(count)d hour", "in %(count)d hours", hours) % {"count": hours}
        minutes = max(1, -int(-seconds // 60))
        return ngettext("in %(count)d minute", "in %(count)d minutes", minutes) % {"count": minutes}
    seconds = -seconds
    days, hours = int(seconds // 86400), int(seconds // 3600)
    if days >= 1:
        return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}
    if hours >= 1:
        return ngettext("%(count)d hour ago", "%(count)d hours ago", hours) % {"count": hours}
    return _("just now")


def moment_figure(
    award: Award, key: str, label: str, moment: dt.datetime | None, now: dt.datetime, url: str = ""
) -> Figure:
    """A date of the edition as a figure: the countdown, and the moment in the award's time
    zone under it; yellow when it is less than ``SOON`` away."""
    if moment is None:
        return Figure(key=key, label=label, value=_("not set"), url=url)
    tone = "warning" if now < moment <= now + SOON else ""
    return Figure(
        key=key,
        label=label,
        value=countdown(moment, now),
        note=format_moment(award, moment),
        url=url,
        tone=tone,
    )


# --- The edition's own panel ---------------------------------------------------------------


def _url(name: str, award: Award, anchor: str = "") -> str:
    url = reverse(name, kwargs={"slug": award.slug})
    return f"{url}#{anchor}" if anchor else url


def edition_panel(award: Award, *, now: dt.datetime) -> Panel:
    """The timeline with countdowns, and the steps the award's own course asks for: what
    opening needs, closing after the deadline, a round before the judging (starting it is
    the entries' panel's step, once the eligibility check is done). Uses the award's
    prefetched structure (``selectors.award_with_structure``): no query of its own."""
    settings_url = _url("awards:settings", award)
    status_url = _url("awards:manage", award, "status")
    # The status is the page's heading; the figures are the timeline, counted down.
    figures = [
        moment_figure(award, name, str(label), getattr(award, name), now, settings_url)
        for name, label in TIMELINE
    ]
    categories = list(award.categories.all())
    criteria = list(award.criteria.all())
    rounds = list(award.rounds.all())
    steps: list[Step] = []
    status = award.status
    if status == AwardStatus.DRAFT:
        if not award.submissions_open_at or not award.submissions_close_at:
            steps.append(
                Step(
                    "set-dates",
                    _("Set when submissions open and close."),
                    settings_url,
                    _("Edit settings and timeline"),
                )
            )
        if not categories:
            steps.append(
                Step(
                    "add-category",
                    _("Add at least one category."),
                    _url("awards:category_create", award),
                    _("Add category"),
                )
            )
        if not criteria:
            steps.append(
                Step(
                    "add-criterion",
                    _("Add at least one criterion."),
                    _url("awards:criterion_create", award),
                    _("Add criterion"),
                )
            )
        if not steps:
            steps.append(
                Step(
                    "open",
                    _("Dates, categories and criteria are set: open the award for submissions."),
                    status_url,
                    _("Change the status"),
                )
            )
    elif status == AwardStatus.OPEN:
        close = award.submissions_close_at
        if close is not None and close <= now:
            steps.append(
                Step(
                    "close",
                    _("The submission deadline has passed: close the submissions."),
                    status_url,
                    _("Change the status"),
                    Urgency.NOW,
                )
            )
    elif status == AwardStatus.CLOSED and not rounds:
        steps.append(
            Step(
                "add-round",
                _("Add a round before the judging starts."),
                _url("awards:round_create", award),
                _("Add round"),
            )
        )
    return Panel(
        key="edition",
        title=_("Timeline"),
        template="awards/_cockpit_timeline.html",
        figures=figures,
        steps=steps,
        order=0,
    )
