"""Conflicts of interest: the platform's suggestions, the juror's declaration, the organisers'
records, and the one rule (jury.conflicts) every list and page asks."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from awards.models import AuditEntry
from jury import selectors, services
from jury.conflicts import blocked_pairs, blocked_q, is_blocked, normalise_name
from jury.enums import Preference
from jury.models import Assignment, Ballot, Bid, Conflict, Review
from jury.services import ConflictScope, Declaration
from submissions.models import Submission
from tests.factories import (
    AwardFactory,
    CategoryFactory,
    JurorFactory,
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
    SubmissionFactory,
    UserFactory,
    judging_setup,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def award():
    return AwardFactory(status="judging")


@pytest.fixture
def category(award):
    return CategoryFactory(award=award)


def entry(award, category=None, organisation=None, status="eligible", **kwargs):
    return SubmissionFactory(
        award=award,
        category=category or CategoryFactory(award=award),
        organisation=organisation or OrganisationFactory(),
        status=status,
        **kwargs,
    )


def organisation_with_member(name, email, **kwargs):
    organisation = OrganisationFactory(name=name, **kwargs)
    MembershipFactory(organisation=organisation, user=UserFactory(email=email))
    return organisation


def juror_at(award, category, email="", affiliation=""):
    extra = {"user__email": email} if email else {}
    return JurorFactory(award=award, categories=[category], affiliation=affiliation, **extra)


def conflicts_of(juror):
    return [
        (c.submission_id, c.organisation_id, c.status, c.source, c.reason, c.note)
        for c in Conflict.objects.filter(juror=juror).order_by("pk")
    ]


def declare(juror, *declarations):
    return services.conflicts_declare(
        juror=juror, declarations=list(declarations), actor=juror.user
    )


def declared_changes(award):
    return [
        entry.data["changes"]
        for entry in AuditEntry.objects.filter(award=award, action="jury.conflicts_declared")
    ]


# --- Suggestions -------------------------------------------------------------------------


def test_a_shared_email_domain_suggests_a_conflict_with_the_organisation(award, category):
    juror = juror_at(award, category, email="x@leichtbau-gmbh.de")
    colleague = organisation_with_member("Carbonwerk Sachsen", "y@leichtbau-gmbh.de")
    stranger = organisation_with_member("Flachsfaser Nord", "z@flachsfaser.de")
    entry(award, category, colleague)
    entry(award, category, stranger)

    created = services.conflicts_suggest(juror=juror)

    assert [(c.organisation, c.status, c.source, c.reason) for c in created] == [
        (colleague, "suggested", "automatic", "@leichtbau-gmbh.de")
    ]
    assert conflicts_of(juror) == [
        (None, colleague.pk, "suggested", "automatic", "@leichtbau-gmbh.de", "")
    ]


def test_the_organisation_website_and_contact_address_count_as_its_domains(award, category):
    juror = juror_at(award, category, email="x@leichtbau-gmbh.de")
    by_website = OrganisationFactory(name="Carbonwerk", website="https://www.leichtbau-gmbh.de/")
    by_contact = OrganisationFactory(name="Flachsfaser", contact_email="info@leichtbau-gmbh.de")
    entry(award, category, by_website)
    entry(award, category, by_contact)

    created = services.conflicts_suggest(juror=juror)

    assert sorted(c.organisation_id for c in created) == sorted([by_website.pk, by_contact.pk])


def test_a_matching_affiliation_suggests_a_conflict(award, category):
    # Legal forms do not count: "Carbonwerk Sachsen GmbH" and "Carbonwerk Sachsen AG" are
    # the same name; "Carbonwerkstatt" is another one.
    assert normalise_name("Carbonwerk Sachsen GmbH") == normalise_name("Carbonwerk Sachsen AG")
    juror = juror_at(
        award, category, email="x@tu-dresden.de", affiliation="Carbonwerk Sachsen GmbH"
    )
    same = OrganisationFactory(name="Carbonwerk Sachsen AG")
    other = OrganisationFactory(name="Carbonwerkstatt Berlin")
    entry(award, category, same)
    entry(award, category, other)

    created = services.conflicts_suggest(juror=juror)

    assert [(c.organisation, c.reason) for c in created] == [(same, "Carbonwerk Sachsen GmbH")]


def test_an_affiliation_naming_a_part_of_the_company_suggests_a_conflict(award, category):
    juror = juror_at(award, category, affiliation="Fraunhofer")
    institute = OrganisationFactory(name="Fraunhofer IWU")
    entry(award, category, institute)

    created = services.conflicts_suggest(juror=juror)

    assert [c.organisation for c in created] == [institute]


def test_free_mail_addresses_suggest_nothing(award, category):
    juror = juror_at(award, category, email="x@gmail.com")
    organisation = organisation_with_member("Carbonwerk", "y@gmail.com")
    organisation.contact_email = "info@gmail.com"
    organisation.save()
    entry(award, category, organisation)

    assert services.conflicts_suggest(juror=juror) == []
    assert not Conflict.objects.exists()


def test_only_entries_in_the_jurors_categories_that_reached_the_jury_are_considered(
    award, category
):
    juror = juror_at(award, category, email="x@leichtbau-gmbh.de")
    other_category = CategoryFactory(award=award)
    in_other_category = organisation_with_member("Carbonwerk", "a@leichtbau-gmbh.de")
    with_a_draft = organisation_with_member("Flachsfaser", "b@leichtbau-gmbh.de")
    entry(award, other_category, in_other_category)
    entry(award, category, with_a_draft, status="draft")

    assert services.conflicts_suggest(juror=juror) == []


def test_suggesting_twice_creates_nothing_more(award, category):
    juror = juror_at(award, category, email="x@leichtbau-gmbh.de")
    entry(award, category, organisation_with_member("Carbonwerk", "y@leichtbau-gmbh.de"))
    first = services.conflicts_suggest(juror=juror)

    assert len(first) == 1
    assert services.conflicts_suggest(juror=juror) == []
    assert Conflict.objects.count() == 1


def test_a_dismissed_suggestion_is_not_suggested_again(award, category):
    juror = juror_at(award, category, email="x@leichtbau-gmbh.de")
    organisation = organisation_with_member("Carbonwerk", "y@leichtbau-gmbh.de")
    submission = entry(award, category, organisation)
    services.conflicts_suggest(juror=juror)
    declare(juror, Declaration(submission.pk, ConflictScope.NONE))

    assert services.conflicts_suggest(juror=juror) == []
    assert conflicts_of(juror) == [
        (None, organisation.pk, "dismissed", "automatic", "@leichtbau-gmbh.de", "")
    ]
    assert not is_blocked(juror, submission)


# --- The juror's declaration -------------------------------------------------------------


def test_a_conflict_with_one_entry_blocks_that_entry_only(award, category):
    juror = juror_at(award, category)
    organisation = OrganisationFactory()
    first, second = entry(award, category, organisation), entry(award, category, organisation)

    declare(
        juror,
        Declaration(first.pk, ConflictScope.SUBMISSION, note=" I advised them. "),
        Declaration(second.pk, ConflictScope.NONE),
    )

    assert conflicts_of(juror) == [(first.pk, None, "confirmed", "juror", "", "I advised them.")]
    assert is_blocked(juror, first)
    assert not is_blocked(juror, second)
    juror.refresh_from_db()
    assert juror.conflicts_declared_at is not None
    assert declared_changes(award) == [[{"submission": first.pk, "conflict": "declared"}]]
    assert AuditEntry.objects.get(action="jury.conflicts_declared").data["entries_seen"] == 2


def test_a_conflict_with_the_organisation_blocks_all_its_entries(award, category):
    juror = juror_at(award, category)
    organisation = OrganisationFactory()
    first, second = entry(award, category, organisation), entry(award, category, organisation)
    elsewhere = entry(award, category)
    later = entry(award, CategoryFactory(award=award), organisation)

    declare(juror, Declaration(first.pk, ConflictScope.ORGANISATION, note="My brother's firm"))

    assert conflicts_of(juror) == [
        (None, organisation.pk, "confirmed", "juror", "", "My brother's firm")
    ]
    assert [is_blocked(juror, s) for s in (first, second, later, elsewhere)] == [
        True,
        True,
        True,
        False,
    ]
    assert declared_changes(award) == [[{"organisation": organisation.pk, "conflict": "declared"}]]


def test_the_juror_can_withdraw_their_own_conflict(award, category):
    juror = juror_at(award, category)
    submission = entry(award, category)
    declare(juror, Declaration(submission.pk, ConflictScope.SUBMISSION))

    declare(juror, Declaration(submission.pk, ConflictScope.NONE))

    assert conflicts_of(juror) == [(submission.pk, None, "dismissed", "juror", "", "")]
    assert not is_blocked(juror, submission)
    assert declared_changes(award) == [
        [{"submission": submission.pk, "conflict": "declared"}],
        [{"submission": submission.pk, "conflict": "withdrawn"}],
    ]


def test_the_juror_can_withdraw_their_organisation_conflict(award, category):
    juror = juror_at(award, category)
    submission = entry(award, category)
    declare(juror, Declaration(submission.pk, ConflictScope.ORGANISATION))

    declare(juror, Declaration(submission.pk, ConflictScope.NONE))

    assert conflicts_of(juror) == [(None, submission.organisation_id, "dismissed", "juror", "", "")]
    assert not is_blocked(juror, submission)


def test_a_conflict_the_organisers_recorded_cannot_be_withdrawn_by_the_juror(award, category):
    juror = juror_at(award, category)
    organiser = UserFactory()
    submission = entry(award, category)
    organisation_wide = entry(award, category)
    services.conflict_record(
        juror=juror,
        submission=submission,
        whole_organisation=False,
        note="Co-author",
        actor=organiser,
    )
    services.conflict_record(
        juror=juror,
        submission=organisation_wide,
        whole_organisation=True,
        note="Former employer",
        actor=organiser,
    )

    declare(
        juror,
        Declaration(submission.pk, ConflictScope.NONE),
        Declaration(organisation_wide.pk, ConflictScope.NONE),
    )

    assert conflicts_of(juror) == [
        (submission.pk, None, "confirmed", "organiser", "", "Co-author"),
        (None, organisation_wide.organisation_id, "confirmed", "organiser", "", "Former employer"),
    ]
    assert is_blocked(juror, submission)
    assert is_blocked(juror, organisation_wide)
    recorded = AuditEntry.objects.filter(action="jury.conflict_recorded")
    assert [e.actor for e in recorded] == [organiser, organiser]


def test_the_jurors_declaration_leaves_a_conflict_the_organisers_recorded_as_it_is(award, category):
    juror = juror_at(award, category)
    organiser = UserFactory()
    submission = entry(award, category)
    organisation_wide = entry(award, category)
    services.conflict_record(
        juror=juror,
        submission=submission,
        whole_organisation=False,
        note="Co-author",
        actor=organiser,
    )
    services.conflict_record(
        juror=juror,
        submission=organisation_wide,
        whole_organisation=True,
        note="Former employer",
        actor=organiser,
    )

    # The declaration form shows both as conflicts; the juror sends it with notes of their own.
    declare(
        juror,
        Declaration(submission.pk, ConflictScope.SUBMISSION, note=""),
        Declaration(organisation_wide.pk, ConflictScope.ORGANISATION, note="We met once"),
    )

    assert conflicts_of(juror) == [
        (submission.pk, None, "confirmed", "organiser", "", "Co-author"),
        (None, organisation_wide.organisation_id, "confirmed", "organiser", "", "Former employer"),
    ]
    assert declared_changes(award) == []


def test_the_organisers_cannot_record_a_conflict_with_an_entry_of_another_award(award, category):
    juror = juror_at(award, category)
    foreign = entry(AwardFactory(status="judging"))

    with pytest.raises(ValidationError) as caught:
        services.conflict_record(
            juror=juror, submission=foreign, whole_organisation=False, note="", actor=UserFactory()
        )

    assert caught.value.messages == ["This entry belongs to another award."]
    assert not Conflict.objects.exists()


def test_a_suggestion_left_without_conflict_is_dismissed(award, category):
    juror = juror_at(award, category, email="x@leichtbau-gmbh.de")
    organisation = organisation_with_member("Carbonwerk", "y@leichtbau-gmbh.de")
    submission = entry(award, category, organisation)
    services.conflicts_suggest(juror=juror)
    assert is_blocked(juror, submission)

    declare(juror, Declaration(submission.pk, ConflictScope.NONE))

    assert Conflict.objects.get().status == "dismissed"
    assert not is_blocked(juror, submission)
    assert declared_changes(award) == [[{"organisation": organisation.pk, "conflict": "dismissed"}]]


def test_a_confirmed_suggestion_becomes_a_confirmed_conflict(award, category):
    juror = juror_at(award, category, email="x@leichtbau-gmbh.de")
    organisation = organisation_with_member("Carbonwerk", "y@leichtbau-gmbh.de")
    submission = entry(award, category, organisation)
    services.conflicts_suggest(juror=juror)

    declare(juror, Declaration(submission.pk, ConflictScope.ORGANISATION, note="Colleagues"))

    assert conflicts_of(juror) == [
        (None, organisation.pk, "confirmed", "automatic", "@leichtbau-gmbh.de", "Colleagues")
    ]
    assert declared_changes(award) == [[{"organisation": organisation.pk, "conflict": "confirmed"}]]


def test_an_entry_outside_the_jurors_categories_is_refused(award, category):
    juror = juror_at(award, category)
    mine = entry(award, category)
    not_mine = entry(award, CategoryFactory(award=award))
    foreign = entry(AwardFactory(status="judging"))

    for other in (not_mine, foreign):
        with pytest.raises(ValidationError) as caught:
            declare(
                juror,
                Declaration(mine.pk, ConflictScope.SUBMISSION),
                Declaration(other.pk, ConflictScope.SUBMISSION),
            )
        assert caught.value.messages == ["One of the entries is not in your categories."]
    assert not Conflict.objects.exists()
    assert not AuditEntry.objects.filter(action="jury.conflicts_declared").exists()


def test_an_unknown_kind_of_conflict_is_refused(award, category):
    juror = juror_at(award, category)
    submission = entry(award, category)

    with pytest.raises(ValidationError) as caught:
        declare(juror, Declaration(submission.pk, "family"))

    assert caught.value.messages == ["Unknown kind of conflict."]


def test_preferences_are_stored_as_bids_and_can_change(award, category):
    juror = juror_at(award, category)
    wanted, unwanted, neutral = (entry(award, category) for _ in range(3))

    declare(
        juror,
        Declaration(wanted.pk, preference=Preference.WANT),
        Declaration(unwanted.pk, preference=Preference.RATHER_NOT),
        Declaration(neutral.pk),
    )
    declare(juror, Declaration(wanted.pk, preference=Preference.NEUTRAL))

    assert dict(Bid.objects.filter(juror=juror).values_list("submission_id", "preference")) == {
        wanted.pk: 0,
        unwanted.pk: -1,
        neutral.pk: 0,
    }


def test_an_unknown_preference_is_refused(award, category):
    juror = juror_at(award, category)
    submission = entry(award, category)

    with pytest.raises(ValidationError) as caught:
        declare(juror, Declaration(submission.pk, preference=5))

    assert caught.value.messages == ["Unknown preference."]
    assert not Bid.objects.exists()


def test_a_first_declaration_without_conflicts_is_recorded_once(award, category):
    juror = juror_at(award, category)
    juror.conflicts_declared_at = None
    juror.save()
    submission = entry(award, category)

    declare(juror, Declaration(submission.pk))
    declare(juror, Declaration(submission.pk))

    assert declared_changes(award) == [[]]
    juror.refresh_from_db()
    assert juror.conflicts_declared_at is not None


def test_declaring_a_conflict_on_an_assigned_entry_removes_the_assignment_and_review(
    award, category
):
    juror = juror_at(award, category)
    organisation = OrganisationFactory()
    reviewed, assigned, kept = (
        entry(award, category, organisation),
        entry(award, category, organisation),
        entry(award, category),
    )
    round_ = RoundFactory(award=award, number=1, status="open")
    review = Review.objects.create(
        assignment=Assignment.objects.create(round=round_, juror=juror, submission=reviewed)
    )
    Assignment.objects.create(round=round_, juror=juror, submission=assigned)
    Assignment.objects.create(round=round_, juror=juror, submission=kept)

    declare(juror, Declaration(reviewed.pk, ConflictScope.ORGANISATION))

    assert list(Assignment.objects.values_list("submission_id", flat=True)) == [kept.pk]
    assert not Review.objects.filter(pk=review.pk).exists()
    dropped = AuditEntry.objects.get(action="jury.assignments_dropped_for_conflict")
    assert dropped.actor == juror.user
    assert sorted(dropped.data["assignments"], key=lambda a: a["submission"]) == [
        {"submission": reviewed.pk, "round": round_.pk, "review": "draft"},
        {"submission": assigned.pk, "round": round_.pk, "review": "not_started"},
    ]


def test_recording_a_conflict_removes_the_jurors_assignment(award, category):
    juror = juror_at(award, category)
    submission = entry(award, category)
    round_ = RoundFactory(award=award, number=1, status="open")
    Assignment.objects.create(round=round_, juror=juror, submission=submission)

    services.conflict_record(
        juror=juror, submission=submission, whole_organisation=False, note="", actor=UserFactory()
    )

    assert not Assignment.objects.exists()
    assert AuditEntry.objects.filter(action="jury.assignments_dropped_for_conflict").count() == 1


def test_a_conflict_recorded_after_a_ballot_takes_the_entry_off_the_jurors_ballot(award, category):
    juror = juror_at(award, category)
    organiser = UserFactory()
    a, b, c = (entry(award, category) for _ in range(3))
    final = RoundFactory(award=award, number=2, kind="final", method="ranking", status="open")
    ballot = Ballot.objects.create(
        round=final,
        juror=juror,
        category=category,
        ranking={str(a.pk): 1, str(b.pk): 2, str(c.pk): 3},
        status="submitted",
        version=2,
    )

    services.conflict_record(
        juror=juror, submission=b, whole_organisation=True, note="", actor=organiser
    )

    ballot.refresh_from_db()
    assert ballot.ranking == {str(a.pk): 1, str(c.pk): 3}
    assert ballot.version == 3
    assert ballot.status == "submitted"
    dropped = AuditEntry.objects.get(action="jury.ballot_entries_dropped_for_conflict")
    assert dropped.actor == organiser
    assert dropped.object_id == str(ballot.pk)
    assert dropped.data == {"round": 2, "submissions": [b.pk]}


def test_a_declaration_without_new_conflicts_removes_no_assignment(award, category):
    juror = juror_at(award, category)
    submission = entry(award, category)
    round_ = RoundFactory(award=award, number=1, status="open")
    Assignment.objects.create(round=round_, juror=juror, submission=submission)

    declare(juror, Declaration(submission.pk, preference=Preference.WANT))

    assert Assignment.objects.count() == 1
    assert not AuditEntry.objects.filter(action="jury.assignments_dropped_for_conflict").exists()


# --- One rule ----------------------------------------------------------------------------


def test_blocked_pairs_is_blocked_and_blocked_q_agree(award, category):
    org_a, org_b = OrganisationFactory(), OrganisationFactory()
    a1, a2 = entry(award, category, org_a), entry(award, category, org_a)
    b1 = entry(award, category, org_b)
    c1 = entry(award, category)
    submissions = [a1, a2, b1, c1]
    first, second, third, fourth = (juror_at(award, category) for _ in range(4))
    Conflict.objects.create(juror=first, submission=a1)
    Conflict.objects.create(juror=first, organisation=org_b, status="suggested", source="automatic")
    Conflict.objects.create(juror=second, organisation=org_a, status="dismissed")
    Conflict.objects.create(juror=second, submission=b1, status="dismissed")
    Conflict.objects.create(juror=third, organisation=org_a, source="organiser")
    jurors = [first, second, third, fourth]
    expected = {
        (first.pk, a1.pk),
        (first.pk, b1.pk),
        (third.pk, a1.pk),
        (third.pk, a2.pk),
    }

    by_q = {
        (juror.pk, pk)
        for juror in jurors
        for pk in Submission.objects.filter(pk__in=[s.pk for s in submissions])
        .filter(blocked_q(juror))
        .values_list("pk", flat=True)
    }
    by_is_blocked = {(j.pk, s.pk) for j in jurors for s in submissions if is_blocked(j, s)}

    assert blocked_pairs(jurors, submissions) == expected
    assert by_q == expected
    assert by_is_blocked == expected
    # Only the entries asked about are reported.
    assert blocked_pairs(jurors, [a2, c1]) == {(third.pk, a2.pk)}


def test_blocked_q_with_a_prefix_filters_related_rows(award, category):
    juror = juror_at(award, category)
    blocked, free = entry(award, category), entry(award, category)
    round_ = RoundFactory(award=award, number=1, status="open")
    Assignment.objects.create(round=round_, juror=juror, submission=blocked)
    Assignment.objects.create(round=round_, juror=juror, submission=free)
    Conflict.objects.create(juror=juror, organisation=blocked.organisation, status="suggested")

    remaining = Assignment.objects.exclude(blocked_q(juror, prefix="submission__"))

    assert [a.submission_id for a in remaining] == [free.pk]


def test_suggesting_for_a_whole_jury_reads_in_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    from jury.models import Juror

    small = judging_setup(entries=3, jurors=2)
    large = judging_setup(entries=12, jurors=9)

    def jury(setup):
        return list(Juror.objects.filter(award=setup.award).select_related("user"))

    small_jury = jury(small)
    with CaptureQueriesContext(connection) as reads:
        services.conflicts_suggest_many(jurors=small_jury)
    large_jury = jury(large)
    with django_assert_num_queries(len(reads.captured_queries)):
        services.conflicts_suggest_many(jurors=large_jury)


# --- When suggestions are recorded: on a change, never on a page view ------------------------


def test_suggestions_are_read_without_writing(award, category):
    juror = juror_at(award, category, email="x@leichtbau-gmbh.de")
    colleague = organisation_with_member("Carbonwerk Sachsen", "y@leichtbau-gmbh.de")
    entry(award, category, colleague)

    found = selectors.conflict_suggestions([juror])

    assert [(s.juror_id, s.organisation_id, s.reason) for s in found] == [
        (juror.pk, colleague.pk, "@leichtbau-gmbh.de")
    ]
    assert conflicts_of(juror) == []


def test_a_changed_affiliation_records_its_suggestion(award, category):
    juror = juror_at(award, category)
    company = OrganisationFactory(name="Carbonwerk Sachsen GmbH")
    entry(award, category, company)

    services.juror_profile_update(
        juror=juror, affiliation="Carbonwerk Sachsen", expertise_note="", expertise={}
    )

    assert conflicts_of(juror) == [
        (None, company.pk, "suggested", "automatic", "Carbonwerk Sachsen", "")
    ]


def test_a_new_category_of_the_seat_records_its_suggestions(award, category):
    other = CategoryFactory(award=award)
    juror = juror_at(award, category, email="x@leichtbau-gmbh.de")
    colleague = organisation_with_member("Carbonwerk Sachsen", "y@leichtbau-gmbh.de")
    entry(award, other, colleague)
    assert services.conflicts_suggest(juror=juror) == []  # not in the juror's categories yet

    services.juror_update(
        juror=juror,
        actor=None,
        role="juror",
        categories=[category, other],
        max_assignments=None,
        deadline_extended_until=None,
    )

    assert conflicts_of(juror) == [
        (None, colleague.pk, "suggested", "automatic", "@leichtbau-gmbh.de", "")
    ]


def test_opening_a_round_records_the_suggestions_of_the_whole_jury(award, category):
    round_ = RoundFactory(award=award, number=1, status="planned")
    juror = juror_at(award, category, email="x@leichtbau-gmbh.de")
    colleague = organisation_with_member("Carbonwerk Sachsen", "y@leichtbau-gmbh.de")
    entry(award, category, colleague)

    services.round_open(round=round_, actor=None)

    assert conflicts_of(juror) == [
        (None, colleague.pk, "suggested", "automatic", "@leichtbau-gmbh.de", "")
    ]


def test_declaring_records_the_suggestions_the_juror_was_shown(award, category):
    juror = juror_at(award, category, email="x@leichtbau-gmbh.de")
    colleague = organisation_with_member("Carbonwerk Sachsen", "y@leichtbau-gmbh.de")
    shown = entry(award, category, colleague)

    declare(juror, Declaration(shown.pk, ConflictScope.NONE))

    assert conflicts_of(juror) == [
        (None, colleague.pk, "dismissed", "automatic", "@leichtbau-gmbh.de", "")
    ]
