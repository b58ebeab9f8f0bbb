"""Calibration entries on the database: choosing 2–5 of a category, the assignments every
juror of the category gets (conflicts left out), what the automatic run keeps, jurors who
join later, the gate before a juror's other entries, the setting whether calibration
reviews count, and the comparison of a juror's scores with the others' (exact values)."""

import pytest
from django.utils import timezone, translation

from awards.models import AuditEntry
from jury import selectors, services
from jury.models import Assignment, Conflict, Juror, JurorCategory, Review, RoundEntry
from tests.factories import (
    CategoryFactory,
    JurorFactory,
    RoundFactory,
    SubmissionFactory,
    judging_setup,
)
from tests.jury.manage_helpers import submit_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def s():
    """Six entries of one category in the open round 1, four jurors of it, two criteria."""
    return judging_setup(entries=6, jurors=4, criteria=2, k=2)


def mark(s, entries, round=None, category=None):
    return services.calibration_entries_set(
        round=round or s.round,
        category=category or s.category,
        submissions=entries,
        actor=s.organiser,
    )


def pairs(round_, entries=None):
    rows = Assignment.objects.filter(round=round_)
    if entries is not None:
        rows = rows.filter(submission__in=entries)
    return sorted(rows.values_list("juror_id", "submission_id"))


def every(jurors, entries):
    return sorted((j.pk, e.pk) for j in jurors for e in entries)


def flagged(round_):
    return set(
        RoundEntry.objects.filter(round=round_, is_calibration=True).values_list(
            "submission_id", flat=True
        )
    )


def refusal(s, entries, **kwargs) -> list[str]:
    with pytest.raises(services.CalibrationError) as caught:
        mark(s, entries, **kwargs)
    return caught.value.messages


def scores(assignment, *values, submit=True):
    c1, c2 = assignment.round.award.criteria.order_by("position", "pk")
    return services.review_save(
        assignment=assignment,
        actor=assignment.juror.user,
        version=0,
        scores={c1.pk: values[0], c2.pk: values[1]},
        submit=submit,
    )


def assignment_of(s, juror, entry):
    return Assignment.objects.get(round=s.round, juror=juror, submission=entry)


# --- Choosing the entries -----------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 5])
def test_two_to_five_entries_are_marked_and_every_juror_of_the_category_assigned(s, count):
    chosen = s.submissions[:count]

    report = mark(s, chosen)

    assert flagged(s.round) == {e.pk for e in chosen}
    assert pairs(s.round) == every(s.jurors, chosen)
    assert report.entries == count
    assert report.created == 4 * count
    assert report.removed == 0
    assert set(Assignment.objects.values_list("source", flat=True)) == {"automatic"}
    entry = AuditEntry.objects.get(action="jury.calibration_entries_set")
    assert entry.actor == s.organiser
    assert entry.data["category"] == s.category.code
    assert entry.data["created"] == 4 * count
    assert entry.data["round"] == 1


@pytest.mark.parametrize("count", [1, 6])
def test_one_or_six_entries_are_refused_with_a_message(s, count):
    messages = refusal(s, s.submissions[:count])

    assert messages == [
        f"Choose between 2 and 5 calibration entries (you chose {count}), or none to do "
        "without calibration in this category."
    ]
    assert flagged(s.round) == set()
    assert not Assignment.objects.exists()


def test_choosing_none_ends_calibration_in_the_category(s):
    mark(s, s.submissions[:2])

    report = mark(s, [])

    assert flagged(s.round) == set()
    assert report.removed == 8
    assert not Assignment.objects.exists()


def test_only_entries_of_the_round_and_the_category_can_be_chosen(s):
    elsewhere = CategoryFactory(award=s.award)
    other_category = SubmissionFactory(award=s.award, category=elsewhere, status="eligible")
    RoundEntry.objects.create(round=s.round, submission=other_category)
    not_in_round = SubmissionFactory(award=s.award, category=s.category, status="eligible")
    expected = ["Only entries of this round in this category can be calibration entries."]

    assert refusal(s, [s.submissions[0], other_category]) == expected
    assert refusal(s, [s.submissions[0], not_in_round]) == expected
    assert flagged(s.round) == set()


def test_a_category_of_another_award_is_refused(s):
    other = judging_setup(entries=2, jurors=1)

    assert refusal(s, other.submissions, category=other.category) == [
        "This category belongs to another award."
    ]


def test_a_closed_round_and_a_ranking_round_are_refused(s):
    s.round.status = "closed"
    s.round.save()
    assert refusal(s, s.submissions[:2]) == [
        "This round is closed; its calibration entries can no longer change."
    ]
    final = RoundFactory(award=s.award, number=2, kind="final", method="ranking")
    for entry in s.submissions[:2]:
        RoundEntry.objects.create(round=final, submission=entry)
    assert refusal(s, s.submissions[:2], round=final) == [
        "Calibration entries are scored; in a ranking round every juror ranks the finalists."
    ]


def test_a_juror_in_conflict_is_not_assigned_the_entry(s):
    first, second = s.jurors[:2]
    Conflict.objects.create(juror=first, submission=s.submissions[0])
    Conflict.objects.create(
        juror=second, organisation=s.submissions[1].organisation, status="suggested"
    )

    report = mark(s, s.submissions[:2])

    expected = set(every(s.jurors, s.submissions[:2])) - {
        (first.pk, s.submissions[0].pk),
        (second.pk, s.submissions[1].pk),
    }
    assert set(pairs(s.round)) == expected
    assert report.skipped == 2
    assert report.created == 6


def test_only_active_jurors_of_the_category_are_assigned(s):
    elsewhere = CategoryFactory(award=s.award)
    JurorFactory(award=s.award, categories=[elsewhere])
    gone = JurorFactory(award=s.award, categories=[s.category])
    services.juror_remove(juror=gone, actor=s.organiser)

    mark(s, s.submissions[:2])

    assert pairs(s.round) == every(s.jurors, s.submissions[:2])


def test_an_existing_assignment_becomes_calibration_work_and_is_not_doubled(s):
    manual = services.assignment_add(
        round=s.round, juror=s.jurors[0], submission=s.submissions[0], actor=s.organiser
    )

    report = mark(s, s.submissions[:2])

    assert report.created == 7
    assert pairs(s.round) == every(s.jurors, s.submissions[:2])
    assert Assignment.objects.get(pk=manual.pk).source == "manual"


def test_changing_the_entries_removes_only_automatic_assignments_not_started(s):
    first, second = s.submissions[:2]
    mark(s, [first, second])
    services.review_save(
        assignment=assignment_of(s, s.jurors[0], first),
        actor=s.jurors[0].user,
        version=0,
        scores={},
    )  # a draft: the juror's work stays
    manual = Assignment.objects.create(
        round=s.round, juror=s.jurors[1], submission=s.submissions[5], source="manual"
    )

    report = mark(s, s.submissions[2:4])

    assert flagged(s.round) == {s.submissions[2].pk, s.submissions[3].pk}
    assert report.removed == 7
    assert set(pairs(s.round)) == set(every(s.jurors, s.submissions[2:4])) | {
        (s.jurors[0].pk, first.pk),
        (s.jurors[1].pk, s.submissions[5].pk),
    }
    assert Assignment.objects.filter(pk=manual.pk).exists()


def test_in_an_open_round_the_entries_are_fixed_once_a_calibration_review_is_in(s):
    first, second = s.submissions[:2]
    mark(s, [first, second])
    submit_review(assignment_of(s, s.jurors[0], first), 7)

    assert refusal(s, [first, s.submissions[2]]) == [
        "Jurors have already submitted reviews of the calibration entries of this category; "
        "in an open round they can no longer change."
    ]
    # The same choice again is harmless (and gives a juror who joined since their work).
    newcomer = JurorFactory(award=s.award, categories=[s.category])
    report = mark(s, [second, first])
    assert report.created == 2
    assert set(pairs(s.round, [first, second])) == set(
        every([*s.jurors, newcomer], [first, second])
    )


def test_in_a_planned_round_the_entries_are_marked_and_assigned(s):
    later = RoundFactory(award=s.award, number=2, status="planned")
    for entry in s.submissions[:3]:
        RoundEntry.objects.create(round=later, submission=entry)

    mark(s, s.submissions[1:3], round=later)

    assert flagged(later) == {s.submissions[1].pk, s.submissions[2].pk}
    assert pairs(later) == every(s.jurors, s.submissions[1:3])


# --- The automatic assignment ---------------------------------------------------------------


def test_rerunning_the_automatic_assignment_keeps_the_calibration_assignments(s):
    calibration = s.submissions[:2]
    mark(s, calibration)
    before = pairs(s.round, calibration)

    first = services.assignment_run(round=s.round, actor=s.organiser)
    second = services.assignment_run(round=s.round, actor=s.organiser)

    assert pairs(s.round, calibration) == before == every(s.jurors, calibration)
    assert first.short == second.short == []
    per_entry = {
        e.pk: Assignment.objects.filter(round=s.round, submission=e).count() for e in s.submissions
    }
    # The others get k = 2 reviews; the calibration entries keep every juror's.
    assert [per_entry[e.pk] for e in s.submissions] == [4, 4, 2, 2, 2, 2]
    loads = sorted(Assignment.objects.filter(round=s.round, juror=j).count() for j in s.jurors)
    assert loads == [4, 4, 4, 4]
    # The calibration assignments are kept; the ordinary automatic ones, computed again on
    # the same data, stay as they are: nothing is replaced.
    assert (second.kept, second.unchanged, second.removed, second.created) == (8, 8, 0, 0)


# --- Jurors who join later ------------------------------------------------------------------


def test_a_juror_who_joins_the_category_later_gets_the_calibration_entries(s):
    calibration = s.submissions[:2]
    mark(s, calibration)
    elsewhere = CategoryFactory(award=s.award)
    juror = JurorFactory(award=s.award, categories=[elsewhere])
    assert pairs(s.round, calibration) == every(s.jurors, calibration)

    services.juror_update(
        juror=juror,
        actor=s.organiser,
        role="juror",
        categories=[elsewhere, s.category],
        max_assignments=None,
        deadline_extended_until=None,
    )

    assert set(pairs(s.round, calibration)) == set(every([*s.jurors, juror], calibration))
    entry = AuditEntry.objects.get(action="jury.calibration_assigned")
    assert entry.data["rounds"] == {"1": 2}


def test_a_juror_who_accepts_an_invitation_later_gets_the_calibration_entries(s):
    from tests.factories import UserFactory

    calibration = s.submissions[:2]
    mark(s, calibration)
    invitation = services.juror_invite(
        award=s.award, email="late@uni-example.de", categories=[s.category], actor=s.organiser
    )
    user = UserFactory(email="late@uni-example.de")

    juror = services.invitation_accept(token=services.invitation_token(invitation), user=user)

    assert set(pairs(s.round, calibration)) == set(every([*s.jurors, juror], calibration))


def test_opening_a_round_assigns_the_calibration_entries_to_jurors_who_joined_since(s):
    s.round.status = "closed"
    s.round.closed_at = timezone.now()
    s.round.save()
    later = RoundFactory(award=s.award, number=2, status="planned")
    for entry in s.submissions[:3]:
        RoundEntry.objects.create(round=later, submission=entry)
    mark(s, s.submissions[:2], round=later)
    # Seated without a service (as an import would): nothing has assigned them yet.
    newcomer = JurorFactory(award=s.award, categories=[s.category])
    assert not Assignment.objects.filter(juror=newcomer).exists()

    services.round_open(round=later, actor=s.organiser)

    assert set(pairs(later)) == set(every([*s.jurors, newcomer], s.submissions[:2]))


def test_ensuring_twice_creates_nothing_more(s):
    mark(s, s.submissions[:2])
    JurorFactory(award=s.award, categories=[s.category])

    assert services.calibration_assignments_ensure(award=s.award, actor=s.organiser) == 2
    assert services.calibration_assignments_ensure(award=s.award, actor=s.organiser) == 0
    assert AuditEntry.objects.filter(action="jury.calibration_assigned").count() == 1


# --- The gate -----------------------------------------------------------------------------


def test_other_entries_of_the_category_wait_until_the_calibration_reviews_are_in(s):
    juror = s.jurors[0]
    calibration = s.submissions[:2]
    mark(s, calibration)
    other = Assignment.objects.create(round=s.round, juror=juror, submission=s.submissions[3])

    assert selectors.calibration_pending(juror, s.round, s.category)
    with pytest.raises(services.CalibrationPending) as caught:
        scores(other, 5, 5, submit=False)
    assert caught.value.messages == [
        "Please submit your reviews of the calibration entries of this category first; your "
        "other entries of the category open afterwards."
    ]
    assert not Review.objects.filter(assignment=other).exists()

    scores(assignment_of(s, juror, calibration[0]), 6, 6)
    assert selectors.calibration_pending(juror, s.round, s.category)
    scores(assignment_of(s, juror, calibration[1]), 6, 6)

    assert not selectors.calibration_pending(juror, s.round, s.category)
    assert scores(other, 5, 5).status == "submitted"


def test_the_gate_is_per_category_and_ignores_entries_a_conflict_blocks(s):
    juror = s.jurors[0]
    elsewhere = CategoryFactory(award=s.award)
    JurorCategory.objects.create(juror=juror, category=elsewhere)
    foreign = SubmissionFactory(award=s.award, category=elsewhere, status="eligible")
    RoundEntry.objects.create(round=s.round, submission=foreign)
    mark(s, s.submissions[:2])
    foreign_assignment = Assignment.objects.create(round=s.round, juror=juror, submission=foreign)

    assert scores(foreign_assignment, 4, 4).status == "submitted"

    scores(assignment_of(s, juror, s.submissions[0]), 6, 6)
    Conflict.objects.create(juror=juror, submission=s.submissions[1])
    assert not selectors.calibration_pending(juror, s.round, s.category)


# --- Whether calibration reviews count ------------------------------------------------------


def test_the_organisers_decide_whether_calibration_reviews_count(s):
    assert s.round.calibration_counts is True

    services.calibration_counting_set(round=s.round, counts=False, actor=s.organiser)

    s.round.refresh_from_db()
    assert s.round.calibration_counts is False
    entry = AuditEntry.objects.get(action="round.updated")
    assert entry.data == {"changes": {"calibration_counts": {"before": True, "after": False}}}
    services.calibration_counting_set(round=s.round, counts=False, actor=s.organiser)
    assert AuditEntry.objects.filter(action="round.updated").count() == 1


def test_the_setting_is_fixed_once_the_award_is_decided(s):
    s.award.status = "decided"
    s.award.save()

    with pytest.raises(services.CalibrationError):
        services.calibration_counting_set(round=s.round, counts=False, actor=s.organiser)
    s.round.refresh_from_db()
    assert s.round.calibration_counts is True


# --- The comparison ---------------------------------------------------------------------------


@pytest.fixture
def three():
    """Jurors A, B, C of one category, two calibration entries E1, E2, criteria c1 (weight 1)
    and c2 (weight 3), both 1–10, every calibration review submitted:

        E1: A (9, 4)  B (5, 3)  C (8, 6)
        E2: A (7, 4)  B (7, 3)  C (4, 4)
    """
    s = judging_setup(entries=3, jurors=3, criteria=2, k=2)
    c2 = s.criteria[1]
    c2.weight = 3
    c2.save()
    e1, e2 = s.submissions[:2]
    mark(s, [e1, e2])
    a, b, c = s.jurors
    table = {
        (a, e1): (9, 4),
        (b, e1): (5, 3),
        (c, e1): (8, 6),
        (a, e2): (7, 4),
        (b, e2): (7, 3),
        (c, e2): (4, 4),
    }
    for (juror, entry), values in table.items():
        scores(assignment_of(s, juror, entry), *values)
    return s


def sentences(line):
    return [comparison.sentence for _criterion, comparison in line.criteria] + [line.total.sentence]


def test_the_comparison_is_the_mean_difference_to_the_others_on_the_same_entries(three):
    s = three
    a, b, c = s.jurors

    line = selectors.calibration_for_juror(a, s.round, s.category)

    # c1: E1 9 − (5 + 8)/2 = 2.5, E2 7 − (7 + 4)/2 = 1.5 → 2.0 milder.
    # c2: E1 4 − (3 + 6)/2 = −0.5, E2 4 − (3 + 4)/2 = 0.5 → 0.0, in line.
    # Totals = 100 × ((c1 − 1) + 3 (c2 − 1)) / 36: E1 A 17, B 10, C 22 (/36 × 100), so
    # (17 − 16) × 100/36 = 2.78; E2 A 15, B 12, C 12 → 3 × 100/36 = 8.33; mean 5.56.
    assert [comparison.difference for _c, comparison in line.criteria] == [2.0, 0.0]
    assert line.total.difference == pytest.approx(5.5556, abs=1e-4)
    assert sentences(line) == [
        "on average 2.0 points milder than the other jurors",
        "in line with the other jurors",
        "on average 5.6 points milder than the other jurors",
    ]
    assert (line.assigned, line.submitted, line.counted) == (2, 2, 2)
    # B: c1 −1.0, c2 −1.5, total −15.3; C: c1 −1.0, c2 +1.5, total +9.7.
    assert sentences(selectors.calibration_for_juror(b, s.round, s.category)) == [
        "on average 1.0 points harsher than the other jurors",
        "on average 1.5 points harsher than the other jurors",
        "on average 15.3 points harsher than the other jurors",
    ]
    assert sentences(selectors.calibration_for_juror(c, s.round, s.category)) == [
        "on average 1.0 points harsher than the other jurors",
        "on average 1.5 points milder than the other jurors",
        "on average 9.7 points milder than the other jurors",
    ]


def test_an_entry_counts_only_once_two_other_jurors_reviewed_it():
    s = judging_setup(entries=2, jurors=3, criteria=2, k=2)
    e1, e2 = s.submissions
    mark(s, [e1, e2])
    a, b, c = s.jurors
    scores(assignment_of(s, a, e1), 9, 9)
    scores(assignment_of(s, a, e2), 9, 9)
    scores(assignment_of(s, b, e1), 3, 3)

    line = selectors.calibration_for_juror(a, s.round, s.category)

    assert line.counted == 0
    assert line.total.difference is None
    assert [e.needed for e in line.entries] == [1, 2]
    assert sentences(line)[-1] == "No comparison yet"

    scores(assignment_of(s, c, e1), 5, 5)
    line = selectors.calibration_for_juror(a, s.round, s.category)
    assert line.counted == 1
    assert [comparison.difference for _c, comparison in line.criteria] == [5.0, 5.0]


def test_the_organisers_see_every_juror_and_the_reviews_per_entry(three):
    s = three
    overview = selectors.calibration_overview(s.round, s.category)

    assert [line.juror for line in overview.jurors] == sorted(
        s.jurors, key=lambda j: (j.user.full_name, j.pk)
    )
    assert overview.reviews_per_entry == {e.pk: 3 for e in s.submissions[:2]}


def test_a_juror_without_calibration_entries_has_no_comparison(three):
    s = three
    outsider = JurorFactory(award=s.award, categories=[CategoryFactory(award=s.award)])

    assert selectors.calibration_for_juror(outsider, s.round, s.category) is None
    assert Juror.objects.filter(award=s.award).count() == 4


def test_what_counts_cannot_change_once_a_decision_froze_the_ranking():
    from results import services as results_services
    from tests.results.manage_helpers import scored

    s = scored()
    CategoryFactory(award=s.award)  # still undecided: the award stays in judging
    results_services.decision_confirm(
        award=s.award,
        category=s.category,
        choice=results_services.Choice(places=[s.submissions[0].pk]),
        justification="",
        actor=s.organiser,
    )
    with pytest.raises(services.CalibrationError, match="reopen them"), translation.override("en"):
        services.calibration_counting_set(round=s.round, counts=False, actor=s.organiser)
    s.round.refresh_from_db()
    assert s.round.calibration_counts is True
