"""The results on the organisers' overview of an edition (``awards.cockpit``): categories
decided, the publication, and the steps between the jury's last round and the published
results (take the shortlist, decide, schedule the publication).

``register`` is called from ``ResultsConfig.ready``. The panel runs two aggregate queries
whatever the number of entries or decisions.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from awards import activity, cockpit
from awards.enums import AwardStatus, RoundStatus
from awards.models import Award
from core.formatting import format_moment
from jury.models import RoundEntry

from .enums import DecisionKind
from .models import Decision
from .selectors.feedback import feedback_counts


def _url(award: Award, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"slug": award.slug, **kwargs})


def results_panel(award: Award, *, now: dt.datetime) -> cockpit.Panel:
    categories = list(award.categories.all())
    rounds = sorted(award.rounds.all(), key=lambda r: r.number)
    decided = set(
        Decision.objects.filter(award=award)
        .order_by()
        .values("category_id")
        .annotate(places=Count("pk", filter=Q(kind=DecisionKind.PLACE)))
        .filter(places__gt=0)
        .values_list("category_id", flat=True)
    )
    entries = dict(
        RoundEntry.objects.filter(round__award=award)
        .order_by()
        .values("round_id")
        .annotate(n=Count("pk"))
        .values_list("round_id", "n")
    )
    undecided = [c for c in categories if c.pk not in decided]
    overview_url = _url(award, "results_manage:overview")
    publication_url = _url(award, "results_manage:publication")

    if award.status == AwardStatus.PUBLISHED or award.results_published_at:
        moment = award.results_published_at or award.results_publish_at
        publication = cockpit.Figure(
            key="publication",
            label=_("Publication of the results"),
            value=_("published"),
            note=format_moment(award, moment) if moment else "",
            url=publication_url,
            tone="success",
        )
    elif award.results_publish_at:
        publication = cockpit.moment_figure(
            award,
            "publication",
            _("Publication of the results"),
            award.results_publish_at,
            now,
            publication_url,
        )
    else:
        publication = cockpit.Figure(
            key="publication",
            label=_("Publication of the results"),
            value=_("not scheduled"),
            url=publication_url,
        )
    figures = [
        cockpit.Figure(
            key="decided",
            label=_("Categories decided"),
            value=f"{len(categories) - len(undecided)} / {len(categories)}",
            url=overview_url,
            tone="success" if categories and not undecided else "",
        ),
        publication,
    ]

    steps: list[cockpit.Step] = []
    if award.status == AwardStatus.JUDGING and not any(
        r.status == RoundStatus.OPEN for r in rounds
    ):
        started = [r for r in rounds if r.status != RoundStatus.PLANNED]
        last = started[-1] if started else None
        following = (
            next((r for r in rounds if r.number > last.number), None) if last is not None else None
        )
        if last is not None and following is not None and not entries.get(following.pk):
            steps.append(
                cockpit.Step(
                    f"shortlist-{last.number}",
                    _("Round %(number)d is closed: take the shortlist for round %(next)d.")
                    % {"number": last.number, "next": following.number},
                    _url(award, "results_manage:round", number=last.number),
                    _("Go to the round"),
                )
            )
        elif last is not None and following is None and undecided:
            steps.append(
                cockpit.Step(
                    "decide",
                    ngettext(
                        "%(count)d category awaits the decision on its places.",
                        "%(count)d categories await the decision on their places.",
                        len(undecided),
                    )
                    % {"count": len(undecided)},
                    overview_url,
                    _("Ranking and decisions"),
                )
            )
    if award.status == AwardStatus.DECIDED and award.results_publish_at is None:
        steps.append(
            cockpit.Step(
                "schedule",
                _("Every category is decided: schedule the publication of the results."),
                publication_url,
                _("Publication and press kit"),
            )
        )
    if award.applicant_feedback and award.status in (AwardStatus.DECIDED, AwardStatus.PUBLISHED):
        # One more aggregate, only once there is something to release.
        pending = feedback_counts(award).pending
        if pending:
            steps.append(
                cockpit.Step(
                    "feedback",
                    ngettext(
                        "%(count)d feedback text to the applicants is not reviewed yet.",
                        "%(count)d feedback texts to the applicants are not reviewed yet.",
                        pending,
                    )
                    % {"count": pending},
                    _url(award, "results_manage:feedback"),
                    _("Feedback to the applicants"),
                )
            )
    return cockpit.Panel(
        key="results",
        title=_("Results"),
        template="results/_cockpit.html",
        figures=figures,
        steps=steps,
        context={
            "overview_url": overview_url,
            "publication_url": publication_url,
            "quality_url": _url(award, "results_manage:quality"),
        },
    )


def register() -> None:
    cockpit.panel_register("results", results_panel, order=30)
    activity.value_labels_register(
        "award.status_changed", "by", [("schedule", gettext_lazy("the scheduled publication"))]
    )
