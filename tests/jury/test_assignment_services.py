"""Assignments on the database: the optimal automatic run, its report of short entries, and
changes by hand."""

from collections import Counter

import pytest

from awards.models import AuditEntry
from jury import services
from jury.models import Assignment, Conflict, Review, RoundEntry
from tests.factories import (
    AwardFactory,
    CategoryFactory,
    JurorFactory,
    RoundFactory,
    SubmissionFactory,
    judging_setup,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def pairs(round_):
    return sorted(Assignment.objects.filter(round=round_).values_list("juror_id", "submission_id"))


def loads(round_, jurors):
    counts = Counter(Assignment.objects.filter(round=round_).values_list("juror_id", flat=True))
    return [counts[j.pk] for j in jurors]


def reviews_per_entry(round_, submissions):
    counts = Counter(
        Assignment.objects.filter(round=round_).values_list("submission_id", flat=True)
    )
    return [counts[s.pk] for s in submissions]


def run(setup):
    return services.assignment_run(round=setup.round, actor=setup.organiser)


def short(report):
    return [(s.submission, s.missing, s.reason) for s in report.short]


def refusal(**kwargs):
    with pytest.raises(services.AssignmentError) as caught:
        services.assignment_add(**kwargs)
    return caught.value.messages


# --- The automatic run -------------------------------------------------------------------


def test_every_entry_gets_k_reviews_and_the_loads_are_even():
    setup = judging_setup(entries=12, jurors=4, k=3)

    report = run(setup)

    assert reviews_per_entry(setup.round, setup.submissions) == [3] * 12
    assert loads(setup.round, setup.jurors) == [9, 9, 9, 9]
    assert report.created == 36
    assert report.kept == 0
    assert report.removed == 0
    assert report.k == 3
    assert report.short == []
    assert report.loads == {j.pk: 9 for j in setup.jurors}
    assert set(Assignment.objects.values_list("source", flat=True)) == {"automatic"}
    assert set(Assignment.objects.values_list("created_by", flat=True)) == {setup.organiser.pk}
    entry = AuditEntry.objects.get(action="jury.assignments_computed")
    assert entry.actor == setup.organiser
    assert entry.data == {"created": 36, "kept": 0, "removed": 0, "short": {}}


def test_loads_stay_within_one_when_the_reviews_do_not_divide_evenly():
    setup = judging_setup(entries=7, jurors=3, k=2)

    run(setup)

    assert reviews_per_entry(setup.round, setup.submissions) == [2] * 7
    assert sorted(loads(setup.round, setup.jurors)) == [4, 5, 5]


def test_no_juror_reviews_an_entry_twice():
    setup = judging_setup(entries=5, jurors=3, k=3)

    run(setup)

    assert pairs(setup.round) == sorted(
        (j.pk, s.pk) for j in setup.jurors for s in setup.submissions
    )


def test_a_conflicted_pair_is_never_assigned_even_a_suggestion_not_yet_dismissed():
    setup = judging_setup(entries=12, jurors=4, k=3)
    first, second, third, _fourth = setup.jurors
    s = setup.submissions
    Conflict.objects.create(
        juror=first, organisation=s[0].organisation, status="suggested", source="automatic"
    )
    Conflict.objects.create(juror=second, submission=s[1])
    Conflict.objects.create(juror=third, submission=s[2], source="organiser")
    # A dismissed suggestion no longer blocks.
    Conflict.objects.create(
        juror=third, organisation=s[3].organisation, status="dismissed", source="automatic"
    )

    report = run(setup)

    assigned = set(pairs(setup.round))
    assert (first.pk, s[0].pk) not in assigned
    assert (second.pk, s[1].pk) not in assigned
    assert (third.pk, s[2].pk) not in assigned
    assert (third.pk, s[3].pk) in assigned
    assert reviews_per_entry(setup.round, s) == [3] * 12
    assert report.short == []
    assert max(loads(setup.round, setup.jurors)) - min(loads(setup.round, setup.jurors)) <= 1


def test_the_run_refreshes_suggested_conflicts_first():
    setup = judging_setup(entries=3, jurors=3, k=2)
    first = setup.jurors[0]
    first.affiliation = setup.submissions[0].organisation.name
    first.save()

    run(setup)

    assert Conflict.objects.get().organisation == setup.submissions[0].organisation
    assert (first.pk, setup.submissions[0].pk) not in pairs(setup.round)


def test_the_same_data_gives_the_same_assignment():
    setup = judging_setup(entries=12, jurors=4, k=3)
    run(setup)
    first = pairs(setup.round)
    Assignment.objects.all().delete()

    run(setup)

    assert pairs(setup.round) == first


def test_a_rerun_replaces_only_automatic_assignments_that_have_not_started():
    setup = judging_setup(entries=12, jurors=4, k=3)
    run(setup)
    started = Assignment.objects.filter(submission=setup.submissions[0]).first()
    Review.objects.create(assignment=started)
    without = next(
        j
        for j in setup.jurors
        if not Assignment.objects.filter(juror=j, submission=setup.submissions[1]).exists()
    )
    manual = services.assignment_add(
        round=setup.round, juror=without, submission=setup.submissions[1], actor=setup.organiser
    )

    report = run(setup)

    assert Assignment.objects.filter(pk=started.pk).exists()
    assert Review.objects.filter(assignment=started).exists()
    assert Assignment.objects.get(pk=manual.pk).source == "manual"
    assert report.kept == 2
    # 34 reviews are computed (36 less the started one and the one by hand). Of the 35
    # automatic ones not started, those computed again stay as they are (the same rows);
    # only the others are replaced.
    assert report.unchanged + report.removed == 35
    assert report.unchanged + report.created == 34
    assert report.unchanged > 0
    assert reviews_per_entry(setup.round, setup.submissions) == [3] * 12
    assert sorted(loads(setup.round, setup.jurors)) == [9, 9, 9, 9]
    assert report.short == []


def test_a_kept_assignment_that_a_new_suggestion_blocks_does_not_count_towards_k():
    setup = judging_setup(entries=2, jurors=4, k=3)
    first = setup.jurors[0]
    target = setup.submissions[0]
    manual = services.assignment_add(
        round=setup.round, juror=first, submission=target, actor=setup.organiser
    )
    # Later the juror states an affiliation that names the entry's company.
    first.affiliation = target.organisation.name
    first.save()

    report = run(setup)

    reviewers = set(Assignment.objects.filter(submission=target).values_list("juror_id", flat=True))
    # The hidden assignment stays (it comes back if the juror dismisses the suggestion),
    # and three jurors who may see the entry review it.
    assert Assignment.objects.filter(pk=manual.pk).exists()
    assert reviewers - {first.pk} == {j.pk for j in setup.jurors[1:]}
    assert report.short == []


def test_short_entries_are_reported_when_the_category_has_fewer_jurors_than_k():
    setup = judging_setup(entries=2, jurors=2, k=3)

    report = run(setup)

    assert short(report) == [
        (setup.submissions[0], 1, "The category has only 2 jurors."),
        (setup.submissions[1], 1, "The category has only 2 jurors."),
    ]
    assert reviews_per_entry(setup.round, setup.submissions) == [2, 2]
    entry = AuditEntry.objects.get(action="jury.assignments_computed")
    assert entry.data["short"] == {str(setup.submissions[0].pk): 1, str(setup.submissions[1].pk): 1}


def test_short_entries_are_reported_when_conflicts_reduce_the_pool():
    setup = judging_setup(entries=3, jurors=3, k=3)
    first, second, _third = setup.jurors
    Conflict.objects.create(juror=first, submission=setup.submissions[1])
    Conflict.objects.create(juror=first, organisation=setup.submissions[2].organisation)
    Conflict.objects.create(juror=second, submission=setup.submissions[2])

    report = run(setup)

    assert short(report) == [
        (setup.submissions[1], 1, "1 juror of the category (of 3) has a conflict of interest."),
        (setup.submissions[2], 2, "2 jurors of the category (of 3) have a conflict of interest."),
    ]
    assert reviews_per_entry(setup.round, setup.submissions) == [3, 2, 1]


def test_short_entries_are_reported_when_jurors_reach_their_capacity():
    setup = judging_setup(entries=2, jurors=3, k=3)
    limited = setup.jurors[0]
    limited.max_assignments = 1
    limited.save()

    report = run(setup)

    assert [(s.missing, s.reason) for s in report.short] == [
        (1, "The jurors without a conflict have reached their most entries to review.")
    ]
    assert loads(setup.round, setup.jurors) == [1, 2, 2]
    assert sorted(reviews_per_entry(setup.round, setup.submissions)) == [2, 3]


def test_inactive_jurors_are_not_assigned():
    setup = judging_setup(entries=4, jurors=3, k=2)
    gone = setup.jurors[2]
    gone.is_active = False
    gone.save()

    report = run(setup)

    assert loads(setup.round, setup.jurors) == [4, 4, 0]
    assert gone.pk not in report.loads


def test_jurors_only_review_entries_of_their_categories():
    setup = judging_setup(entries=4, jurors=2, k=2)
    other = CategoryFactory(award=setup.award)
    other_entries = [
        SubmissionFactory(award=setup.award, category=other, status="eligible") for _ in range(3)
    ]
    for submission in other_entries:
        RoundEntry.objects.create(round=setup.round, submission=submission)
    other_jurors = [JurorFactory(award=setup.award, categories=[other]) for _ in range(2)]

    run(setup)

    categories_of = {j.pk: "first" for j in setup.jurors} | {j.pk: "other" for j in other_jurors}
    entries_of = {s.pk: "first" for s in setup.submissions} | {s.pk: "other" for s in other_entries}
    assert {(categories_of[j], entries_of[s]) for j, s in pairs(setup.round)} == {
        ("first", "first"),
        ("other", "other"),
    }
    assert reviews_per_entry(setup.round, other_entries) == [2, 2, 2]
    assert loads(setup.round, other_jurors) == [3, 3]


def test_jurors_of_another_award_are_never_assigned():
    setup = judging_setup(entries=2, jurors=2, k=2)
    stranger = JurorFactory(award=AwardFactory(status="judging"), categories=[setup.category])

    run(setup)

    assert not Assignment.objects.filter(juror=stranger).exists()


def test_entries_not_in_the_round_are_not_assigned():
    setup = judging_setup(entries=2, jurors=2, k=2)
    outside = SubmissionFactory(award=setup.award, category=setup.category, status="eligible")

    run(setup)

    assert not Assignment.objects.filter(submission=outside).exists()


def test_a_closed_round_refuses_a_run():
    setup = judging_setup(entries=2, jurors=2, k=2)
    setup.round.status = "closed"
    setup.round.save()

    with pytest.raises(services.AssignmentError) as caught:
        run(setup)

    assert caught.value.messages == ["This round is closed; its assignments can no longer change."]


def test_a_ranking_round_refuses_assignments():
    setup = judging_setup(entries=2, jurors=2, k=2)
    setup.round.method = "ranking"
    setup.round.save()
    ranking_only = ["In a ranking round every juror of a category ranks all its finalists."]

    with pytest.raises(services.AssignmentError) as caught:
        run(setup)

    assert caught.value.messages == ranking_only
    assert (
        refusal(
            round=setup.round,
            juror=setup.jurors[0],
            submission=setup.submissions[0],
            actor=setup.organiser,
        )
        == ranking_only
    )
    assert not Assignment.objects.exists()


def test_a_final_scoring_round_gives_each_finalist_every_juror_of_its_category():
    setup = judging_setup(entries=2, jurors=3, k=2)
    final = RoundFactory(award=setup.award, number=2, kind="final", status="open")
    for submission in setup.submissions:
        RoundEntry.objects.create(round=final, submission=submission)
    Conflict.objects.create(juror=setup.jurors[0], submission=setup.submissions[1])

    report = services.assignment_run(round=final, actor=setup.organiser)

    assert reviews_per_entry(final, setup.submissions) == [3, 2]
    assert short(report) == [
        (setup.submissions[1], 1, "1 juror of the category (of 3) has a conflict of interest.")
    ]


# --- By hand -----------------------------------------------------------------------------


def test_an_assignment_by_hand_is_made_and_logged():
    setup = judging_setup(entries=1, jurors=1)
    juror, submission = setup.jurors[0], setup.submissions[0]

    assignment = services.assignment_add(
        round=setup.round, juror=juror, submission=submission, actor=setup.organiser
    )

    assert (assignment.juror, assignment.submission, assignment.source) == (
        juror,
        submission,
        "manual",
    )
    assert assignment.created_by == setup.organiser
    entry = AuditEntry.objects.get(action="jury.assignment_added")
    assert entry.data == {"juror": juror.user.email, "submission": submission.pk}


def test_an_assignment_by_hand_in_a_closed_round_is_refused():
    setup = judging_setup(entries=1, jurors=1)
    setup.round.status = "closed"
    setup.round.save()

    assert refusal(
        round=setup.round,
        juror=setup.jurors[0],
        submission=setup.submissions[0],
        actor=setup.organiser,
    ) == ["This round is closed; its assignments can no longer change."]


def test_an_assignment_of_an_entry_outside_the_round_is_refused():
    setup = judging_setup(entries=1, jurors=1)
    outside = SubmissionFactory(award=setup.award, category=setup.category, status="eligible")

    assert refusal(
        round=setup.round, juror=setup.jurors[0], submission=outside, actor=setup.organiser
    ) == ["This entry is not part of the round."]


def test_an_assignment_of_a_juror_of_another_award_or_no_longer_active_is_refused():
    setup = judging_setup(entries=1, jurors=1)
    stranger = JurorFactory(award=AwardFactory(status="judging"), categories=[setup.category])
    gone = JurorFactory(award=setup.award, categories=[setup.category], is_active=False)

    for juror in (stranger, gone):
        assert refusal(
            round=setup.round,
            juror=juror,
            submission=setup.submissions[0],
            actor=setup.organiser,
        ) == ["This juror is not on the jury of this award."]


def test_an_assignment_outside_the_jurors_categories_is_refused():
    setup = judging_setup(entries=1, jurors=0)
    juror = JurorFactory(award=setup.award, categories=[CategoryFactory(award=setup.award)])

    assert refusal(
        round=setup.round, juror=juror, submission=setup.submissions[0], actor=setup.organiser
    ) == ["This juror does not judge the entry's category."]


def test_an_assignment_of_a_conflicted_pair_is_refused():
    setup = judging_setup(entries=1, jurors=1)
    juror, submission = setup.jurors[0], setup.submissions[0]
    Conflict.objects.create(
        juror=juror, organisation=submission.organisation, status="suggested", source="automatic"
    )

    assert refusal(
        round=setup.round, juror=juror, submission=submission, actor=setup.organiser
    ) == ["This juror has a conflict of interest with the entry."]
    assert not Assignment.objects.exists()


def test_a_second_assignment_of_the_same_pair_is_refused():
    setup = judging_setup(entries=1, jurors=1)
    juror, submission = setup.jurors[0], setup.submissions[0]
    services.assignment_add(
        round=setup.round, juror=juror, submission=submission, actor=setup.organiser
    )

    assert refusal(
        round=setup.round, juror=juror, submission=submission, actor=setup.organiser
    ) == ["This juror reviews the entry already."]
    assert Assignment.objects.count() == 1


def test_removing_an_assignment_deletes_it_and_its_draft_and_logs_it():
    setup = judging_setup(entries=1, jurors=1)
    assignment = Assignment.objects.create(
        round=setup.round, juror=setup.jurors[0], submission=setup.submissions[0]
    )
    Review.objects.create(assignment=assignment)

    services.assignment_remove(assignment=assignment, actor=setup.organiser)

    assert not Assignment.objects.exists()
    assert not Review.objects.exists()
    entry = AuditEntry.objects.get(action="jury.assignment_removed")
    assert entry.data == {
        "juror": setup.jurors[0].user.email,
        "submission": setup.submissions[0].pk,
        "review": "draft",
    }


def test_an_assignment_with_a_submitted_review_cannot_be_removed():
    setup = judging_setup(entries=1, jurors=1)
    assignment = Assignment.objects.create(
        round=setup.round, juror=setup.jurors[0], submission=setup.submissions[0]
    )
    Review.objects.create(assignment=assignment, status="submitted")

    with pytest.raises(services.AssignmentError) as caught:
        services.assignment_remove(assignment=assignment, actor=setup.organiser)

    assert caught.value.messages == [
        "The juror has submitted this review; reopen it first if it must go."
    ]
    assert Assignment.objects.count() == 1
    assert not AuditEntry.objects.filter(action="jury.assignment_removed").exists()


def test_an_assignment_of_a_closed_round_cannot_be_removed():
    setup = judging_setup(entries=1, jurors=1)
    assignment = Assignment.objects.create(
        round=setup.round, juror=setup.jurors[0], submission=setup.submissions[0]
    )
    setup.round.status = "closed"
    setup.round.save()

    with pytest.raises(services.AssignmentError) as caught:
        services.assignment_remove(assignment=assignment, actor=setup.organiser)

    assert caught.value.messages == ["This round is closed; its assignments can no longer change."]
    assert Assignment.objects.count() == 1
