"""An award's lifecycle (draft → open → closed → judging → decided → published) and roles."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User

from ..enums import AWARD_TRANSITIONS, AwardRoleKind, AwardStatus
from ..models import Award, AwardRole
from .audit import audit_log


class AwardTransitionError(ValidationError):
    """A status change that the award's lifecycle does not allow, or not yet."""


def _transition_preconditions(award: Award, to_status: str) -> list[str]:
    problems: list[str] = []
    if to_status == AwardStatus.OPEN:
        if not award.submissions_open_at or not award.submissions_close_at:
            problems.append(_("Set when submissions open and close."))
        if not award.categories.exists():
            problems.append(_("Add at least one category."))
        if not award.criteria.exists():
            problems.append(_("Add at least one criterion."))
    if to_status == AwardStatus.JUDGING and not award.rounds.exists():
        problems.append(_("Add at least one round."))
    if to_status == AwardStatus.PUBLISHED and not award.results_are_public():
        # Results go public at their scheduled moment, by the publication task, not by hand.
        problems.append(_("Schedule the publication of the results on the results page."))
    return problems


@transaction.atomic
def award_transition(*, award: Award, to_status: str, actor: User | None) -> Award:
    """Move ``award`` to ``to_status`` if its lifecycle allows it.

    Raises AwardTransitionError naming the two states (and what is missing) otherwise.
    Side effects: the status is saved and an ``award.status_changed`` audit entry written.
    """
    award = Award.objects.select_for_update().get(pk=award.pk)
    from_status = award.status
    if to_status not in AwardStatus.values:
        raise AwardTransitionError(_("Unknown status “%(status)s”.") % {"status": to_status})
    if to_status not in AWARD_TRANSITIONS[from_status]:
        raise AwardTransitionError(
            _("An award cannot go from “%(from)s” to “%(to)s”.")
            % {"from": AwardStatus(from_status).label, "to": AwardStatus(to_status).label}
        )
    problems = _transition_preconditions(award, to_status)
    if problems:
        raise AwardTransitionError(
            [_("“%(to)s” is not possible yet.") % {"to": AwardStatus(to_status).label}, *problems]
        )
    award.status = to_status
    award.save(update_fields=["status", "updated_at"])
    audit_log(
        award=award,
        actor=actor,
        action="award.status_changed",
        target=award,
        data={"from": from_status, "to": to_status},
    )
    return award


@transaction.atomic
def award_role_grant(*, award: Award, user: User, role: str, actor: User | None) -> AwardRole:
    """Give ``user`` a role in ``award`` (idempotent), logged."""
    if role not in AwardRoleKind.values:
        raise ValidationError(_("Unknown role “%(role)s”.") % {"role": role})
    award_role, created = AwardRole.objects.get_or_create(award=award, user=user, role=role)
    if created:
        audit_log(
            award=award,
            actor=actor,
            action="award.role_granted",
            target=award_role,
            data={"user": user.email, "role": role},
        )
    return award_role
