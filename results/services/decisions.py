"""Decisions on the rankings: who confirmed which places, on which frozen ranking, with
which justification; and reopening them.

The ranking itself is read by ``results.selectors`` (computed by ``results.engine``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from awards.enums import AwardStatus, RoundMethod, RoundStatus
from awards.models import Award, Category, Round
from awards.services import audit_log, award_transition
from results.engine import CategoryRanking
from submissions.models import Submission

from ..enums import DecisionKind
from ..models import Decision, RankingSnapshot
from ..selectors.rankings import (
    decisive_round,
    deviations,
    method_of,
    review_progress,
    round_entries,
    round_rankings,
)
from .showcase import results_changed


class DecisionError(ValidationError):
    pass


@dataclass(frozen=True)
class Choice:
    """What the deciders choose for a category: entries for places 1, 2, … and mentions."""

    places: Sequence[int]
    mentions: Sequence[int] = ()


def _snapshot(
    award: Award, category: Category, round_: Round, ranking: CategoryRanking, actor
) -> RankingSnapshot:
    # ``round_``, not ``round``: the builtin rounds the scores below.
    titles = dict(
        Submission.objects.filter(pk__in=[r.submission_id for r in ranking.rows]).values_list(
            "pk", "reference"
        )
    )
    rows = [
        {
            "submission": r.submission_id,
            "reference": titles.get(r.submission_id) or "",
            "place": r.place,
            "tied": r.tied,
            "score": None if r.score is None else round(r.score, 6),
            "raw_mean": None if r.raw_mean is None else round(r.raw_mean, 6),
            "reviews": r.reviews,
        }
        for r in ranking.rows
    ]
    method = method_of(award, round_)
    digest = hashlib.sha256(
        json.dumps({"method": method, "rows": rows}, sort_keys=True).encode()
    ).hexdigest()
    return RankingSnapshot.objects.create(
        award=award,
        category=category,
        round=round_,
        method=method,
        rows=rows,
        digest=digest,
        created_by=actor,
    )


@transaction.atomic
def decision_confirm(
    *,
    award: Award,
    category: Category,
    choice: Choice,
    justification: str,
    actor: User | None,
    gaps_confirmed: bool = False,
) -> list[Decision]:
    """Confirm the places (and mentions) of ``category``.

    Needs the award judging, the category's decisive round closed and nothing decided for
    the category yet. Entries must be of the round and the category, each at most once; at
    most ``award.places_per_category`` places; mentions only where the award has them.
    Choosing other than the ranking's order needs a written justification. Deciding while
    assigned reviews of the category are missing, or choosing an entry with fewer complete
    reviews than the award requires, needs ``gaps_confirmed``. Side effects:
    a frozen snapshot of the ranking, the decisions, audit entry ``decision.confirmed``
    (with the snapshot's digest and the departures), and — once every category is decided —
    the award moves to "decided".
    """
    award = Award.objects.select_for_update().get(pk=award.pk)
    if category.award_id != award.pk:
        raise DecisionError(_("This category belongs to another award."))
    if award.status != AwardStatus.JUDGING:
        raise DecisionError(
            _("Decisions are taken while the award is “%(status)s”.")
            % {"status": AwardStatus.JUDGING.label}
        )
    if Decision.objects.filter(category=category).exists():
        raise DecisionError(_("This category is decided; reopen the decision to change it."))
    round_ = decisive_round(award, category)
    if round_ is None:
        raise DecisionError(_("No round has judged this category yet."))
    if round_.status != RoundStatus.CLOSED:
        raise DecisionError(
            _("Close the round “%(round)s” before deciding on it.") % {"round": round_.name}
        )
    places = [int(pk) for pk in choice.places]
    mentions = [int(pk) for pk in choice.mentions]
    if not places:
        raise DecisionError({"places": _("Choose the winner.")})
    if len(places) > award.places_per_category:
        raise DecisionError(
            {
                "places": _("This award gives %(n)d places per category.")
                % {"n": award.places_per_category}
            }
        )
    if mentions and not award.special_mentions:
        raise DecisionError({"mentions": _("This award has no special mentions.")})
    chosen = places + mentions
    if len(set(chosen)) != len(chosen):
        raise DecisionError(_("An entry can be chosen only once."))
    entries = round_entries(round_)
    if any(entries.get(pk) != category.pk for pk in chosen):
        raise DecisionError(_("Only entries of this category in the round can be chosen."))
    ranking = round_rankings(round_).get(
        category.pk,
        CategoryRanking(category.pk, "", "", (), ()),
    )
    departures = deviations(ranking, places)
    progress = (
        review_progress(round_).get(category.pk) if round_.method == RoundMethod.SCORES else None
    )
    missing = progress.missing if progress is not None else 0
    incomplete = [
        pk
        for pk in chosen
        if progress is not None
        and (ranking.entry(pk) is None or ranking.entry(pk).reviews < award.reviews_per_submission)
    ]
    errors = {}
    if (missing or incomplete) and not gaps_confirmed:
        gaps = []
        if missing:
            gaps.append(
                ngettext(
                    "%(count)d assigned review of this category is missing.",
                    "%(count)d assigned reviews of this category are missing.",
                    missing,
                )
                % {"count": missing}
            )
        if incomplete:
            gaps.append(
                ngettext(
                    "%(count)d chosen entry has fewer reviews than required.",
                    "%(count)d chosen entries have fewer reviews than required.",
                    len(incomplete),
                )
                % {"count": len(incomplete)}
            )
        errors["confirm_gaps"] = " ".join([*gaps, _("Confirm that you decide all the same.")])
    justification = justification.strip()
    if departures and not justification:
        errors["justification"] = _(
            "The choice departs from the ranking (place %(places)s): please give the jury's "
            "reasons."
        ) % {"places": ", ".join(str(p) for p in departures)}
    if errors:
        raise DecisionError(errors)
    snapshot = _snapshot(award, category, round_, ranking, actor)
    now = timezone.now()
    decisions = [
        Decision(
            award=award,
            category=category,
            submission_id=pk,
            kind=DecisionKind.PLACE,
            place=index,
            justification=justification,
            snapshot=snapshot,
            decided_by=actor,
            decided_at=now,
        )
        for index, pk in enumerate(places, start=1)
    ] + [
        Decision(
            award=award,
            category=category,
            submission_id=pk,
            kind=DecisionKind.MENTION,
            justification=justification,
            snapshot=snapshot,
            decided_by=actor,
            decided_at=now,
        )
        for pk in mentions
    ]
    Decision.objects.bulk_create(decisions)
    results_changed(award)
    audit_log(
        award=award,
        actor=actor,
        action="decision.confirmed",
        target=category,
        data={
            "before": None,
            "after": {"places": places, "mentions": mentions},
            "references": {
                str(pk): ref
                for pk, ref in Submission.objects.filter(pk__in=chosen).values_list(
                    "pk", "reference"
                )
            },
            "departures": departures,
            "justification": justification,
            "round": round_.number,
            "snapshot": snapshot.digest,
            "missing_reviews": missing,
            "incomplete_chosen": incomplete,
        },
    )
    undecided = award.categories.exclude(
        pk__in=Decision.objects.filter(award=award, place=1).values("category_id")
    )
    if not undecided.exists():
        award_transition(award=award, to_status=AwardStatus.DECIDED, actor=actor)
    return decisions


@transaction.atomic
def decision_reopen(*, award: Award, category: Category, reason: str, actor: User | None) -> None:
    """Undo a category's decision (before publication), with a reason. Side effects: the
    decisions are deleted (their snapshot stays), a scheduled publication is cancelled, the
    award returns to "judging", audit entry ``decision.reopened`` with what was decided."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if category.award_id != award.pk:
        raise DecisionError(_("This category belongs to another award."))
    if award.results_are_public():
        raise DecisionError(_("The results are public; decisions can no longer change."))
    reason = reason.strip()
    if not reason:
        raise DecisionError({"reason": _("Say why the decision is reopened.")})
    decisions = list(Decision.objects.filter(category=category).order_by("kind", "place"))
    if not decisions:
        raise DecisionError(_("Nothing has been decided for this category."))
    before = {
        "places": [d.submission_id for d in decisions if d.kind == DecisionKind.PLACE],
        "mentions": [d.submission_id for d in decisions if d.kind == DecisionKind.MENTION],
        "justification": decisions[0].justification,
    }
    Decision.objects.filter(pk__in=[d.pk for d in decisions]).delete()
    results_changed(award)
    if award.results_publish_at is not None:
        award.results_publish_at = None
        award.save(update_fields=["results_publish_at", "updated_at"])
    if award.status == AwardStatus.DECIDED:
        award_transition(award=award, to_status=AwardStatus.JUDGING, actor=actor)
    audit_log(
        award=award,
        actor=actor,
        action="decision.reopened",
        target=category,
        data={"before": before, "after": None, "reason": reason},
    )


# --- What the public sees of a distinction ------------------------------------------------

STATEMENT_MAX_LENGTH = 1200
PRESENTABLE_STATUSES = (AwardStatus.JUDGING, AwardStatus.DECIDED, AwardStatus.PUBLISHED)


def _statement(text: str) -> str:
    # Line breaks as one character each, whatever the browser sent.
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


@transaction.atomic
def decision_present(
    *,
    decision: Decision,
    statement_de: str,
    statement_en: str,
    public: bool,
    actor: User | None,
) -> Decision:
    """Set the jury's statement on a place or mention (German and English, at most
    ``STATEMENT_MAX_LENGTH`` characters each) and whether it is shown on the public results.

    Allowed while the award is judging or decided, and after publication (a statement may
    be corrected later). A winner (place 1) is always shown: hiding it is refused. Side
    effects, when anything changed: the decision is saved, the public results are marked
    changed (``results_changed``), audit entry ``decision.presented`` with the before and
    after.
    """
    award = Award.objects.select_for_update().get(pk=decision.award_id)
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("submission", "category")
        .get(pk=decision.pk, award=award)
    )
    if award.status not in PRESENTABLE_STATUSES:
        raise DecisionError(
            _(
                "Jury statements are written once there is a decision: while the award is "
                "“%(status)s” or later."
            )
            % {"status": AwardStatus.JUDGING.label}
        )
    values = {
        "statement_de": _statement(statement_de),
        "statement_en": _statement(statement_en),
        "public": bool(public),
    }
    errors: dict[str, list[str]] = {}
    for field in ("statement_de", "statement_en"):
        length = len(values[field])
        if length > STATEMENT_MAX_LENGTH:
            errors[field] = [
                _("At most %(max)d characters; this statement has %(count)d.")
                % {"max": STATEMENT_MAX_LENGTH, "count": length}
            ]
    is_winner = decision.kind == DecisionKind.PLACE and decision.place == 1
    if is_winner and not values["public"]:
        errors["public"] = [
            _(
                "The winner is always shown on the public results; only other places and "
                "special mentions can be hidden."
            )
        ]
    if errors:
        raise DecisionError(errors)
    before = {field: getattr(decision, field) for field in values}
    if before == values:
        return decision
    for field, value in values.items():
        setattr(decision, field, value)
    decision.save(update_fields=list(values))
    results_changed(award)
    audit_log(
        award=award,
        actor=actor,
        action="decision.presented",
        target=decision.category,
        data={
            "submission": decision.submission_id,
            "references": {str(decision.submission_id): decision.submission.reference},
            "place": decision.place,
            "before": before,
            "after": values,
        },
    )
    return decision
