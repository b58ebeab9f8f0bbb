"""An entry's services: drafts, optimistic locking, submit, references, limits, transitions,
eligibility, confirmation mails and what text fields accept."""

import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation
from PIL import Image

from awards.models import AuditEntry
from notifications.models import Message
from submissions import services
from submissions.enums import SUBMISSION_TRANSITIONS, SubmissionStatus
from submissions.models import Submission, SubmissionSequence
from tests.factories import (
    STANDARD_ANSWERS,
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    MembershipFactory,
    OrganisationFactory,
    SubmissionFactory,
    UserFactory,
    answer_of,
    complete_entry_fields,
)

pytestmark = pytest.mark.django_db


def everything_missing(award) -> dict:
    """What a new draft of ``award`` (with the standard form) lacks, in the form's order."""
    questions = {q.key: q.field_name for q in award.questions.all()}
    return {
        "summary": ["Write the short summary."],
        questions["description"]: ["Answer “Description of the innovation”."],
        questions["lightweight"]: ["Answer “What makes it lightweight”."],
        questions["innovation"]: ["Answer “Degree of innovation”."],
        questions["future_potential"]: ["Answer “Future potential for people and the region”."],
        questions["market_readiness"]: ["Answer “Market readiness”."],
        questions["team"]: ["Answer “Team”."],
        questions["images"]: ["Add a file to “Images of the innovation”."],
        "consent_terms": ["Accept the conditions of participation."],
        "consent_data": ["Agree to the processing of your data."],
    }


def png_upload(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/png")


def update(submission, actor=None, **fields):
    """``submission_update`` with the core fields, and answers by question key
    (``team="…"``)."""
    questions = {q.key: q.pk for q in submission.award.questions.all()}
    answers = {questions[key]: fields.pop(key) for key in list(fields) if key in questions}
    return services.submission_update(
        submission=submission,
        actor=actor or submission.created_by,
        expected_version=submission.version,
        **({"answers": answers} if answers else {}),
        **fields,
    )


def ready(submission):
    """A draft with every field and an image: ready to submit."""
    submission = update(submission, **complete_entry_fields(), **STANDARD_ANSWERS)
    services.attachment_add(submission=submission, actor=submission.created_by, upload=png_upload())
    return submission


def submit(submission, actor=None):
    submission.refresh_from_db()
    return services.submission_submit(
        submission=submission,
        actor=actor or submission.created_by,
        expected_version=submission.version,
    )


@pytest.fixture
def award():
    return AwardFactory(status="open", reference_prefix="LIA", edition=2031)


@pytest.fixture
def category(award):
    return CategoryFactory(award=award, code="MOB", name_en="Mobility", name_de="Mobilität")


def draft(award, category, organisation=None, **kwargs):
    return SubmissionFactory(
        award=award,
        category=category,
        organisation=organisation or OrganisationFactory(),
        **kwargs,
    )


# --- Create ------------------------------------------------------------------------------


def test_create_starts_a_draft_and_logs_it(award, category):
    membership = MembershipFactory()

    submission = services.submission_create(
        award=award,
        category=category,
        organisation=membership.organisation,
        actor=membership.user,
        title="  Flax frame  ",
    )

    assert (submission.status, submission.title, submission.version) == ("draft", "Flax frame", 1)
    assert (submission.created_by, submission.updated_by) == (membership.user, membership.user)
    assert submission.reference is None
    entry = AuditEntry.objects.get(action="submission.created")
    assert (entry.award, entry.actor, entry.object_id) == (
        award,
        membership.user,
        str(submission.pk),
    )
    assert entry.data == {"organisation": membership.organisation.name, "category": "MOB"}


def test_create_without_title_gives_a_placeholder_title(award, category):
    membership = MembershipFactory()

    with translation.override("en"):
        submission = services.submission_create(
            award=award,
            category=category,
            organisation=membership.organisation,
            actor=membership.user,
            title=" ",
        )

    assert submission.title == "Untitled entry"


def test_create_refuses_a_category_of_another_award(award):
    membership = MembershipFactory()
    foreign = CategoryFactory(award=AwardFactory(status="open"))

    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.submission_create(
            award=award,
            category=foreign,
            organisation=membership.organisation,
            actor=membership.user,
            title="X",
        )

    assert error.value.message_dict == {"category": ["This category belongs to another award."]}
    assert not Submission.objects.exists()


# --- Drafts and optimistic locking ---------------------------------------------------------


def test_a_draft_saves_incomplete_and_counts_versions(award, category):
    submission = draft(award, category)
    editor = submission.created_by

    saved = update(submission, summary="Only a summary so far.", market_readiness=None)

    assert (saved.summary, answer_of(saved, "description"), saved.version) == (
        "Only a summary so far.",
        None,
        2,
    )
    assert saved.updated_by == editor
    saved = update(saved, description="And now a description.")
    assert saved.version == 3
    stored = Submission.objects.get(pk=submission.pk)
    assert (stored.summary, answer_of(stored, "description"), stored.version) == (
        "Only a summary so far.",
        "And now a description.",
        3,
    )


def test_a_draft_still_refuses_invalid_values(award, category):
    submission = draft(award, category)

    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            update(submission, summary="x" * 601, market_readiness=10)

        assert error.value.message_dict == {
            "summary": ["Ensure this value has at most 600 characters (it has 601)."],
            submission.award.questions.get(key="market_readiness").field_name: [
                "Select a valid choice. 10 is not one of the available choices."
            ],
        }
    submission.refresh_from_db()
    assert (submission.summary, submission.version) == ("", 1)


def test_update_cannot_change_fields_the_services_own(award, category):
    submission = draft(award, category)

    for field, value in (("status", "eligible"), ("reference", "LIA-2031-MOB-9999")):
        with pytest.raises(TypeError):
            update(submission, **{field: value})

    submission.refresh_from_db()
    assert (submission.status, submission.reference) == ("draft", None)


def test_the_second_save_of_the_same_version_is_refused_and_shows_the_first(award, category):
    first = MembershipFactory(user=UserFactory(full_name="Anna"))
    organisation = first.organisation
    second = MembershipFactory(organisation=organisation, role="member")
    submission = draft(award, category, organisation, created_by=first.user)
    annas_copy = Submission.objects.get(pk=submission.pk)
    bens_copy = Submission.objects.get(pk=submission.pk)
    assert annas_copy.version == bens_copy.version == 1

    description = award.questions.get(key="description").pk
    services.submission_update(
        submission=annas_copy,
        actor=first.user,
        expected_version=1,
        answers={description: "Anna's text"},
    )
    with translation.override("en"), pytest.raises(services.StaleVersion) as error:
        services.submission_update(
            submission=bens_copy,
            actor=second.user,
            expected_version=1,
            answers={description: "Ben's text"},
        )

    assert error.value.messages == [
        "Someone else saved this entry in the meantime. Your text is shown below; copy what you "
        "need into the current version."
    ]
    current = error.value.current
    assert (answer_of(current, "description"), current.version, current.updated_by) == (
        "Anna's text",
        2,
        first.user,
    )
    stored = Submission.objects.get(pk=submission.pk)
    assert (answer_of(stored, "description"), stored.version) == ("Anna's text", 2)
    # With the current version, the second member's save goes through.
    saved = services.submission_update(
        submission=bens_copy,
        actor=second.user,
        expected_version=2,
        answers={description: "Ben's text"},
    )
    assert (answer_of(saved, "description"), saved.version, saved.updated_by) == (
        "Ben's text",
        3,
        second.user,
    )


def test_submitting_a_stale_version_is_refused(award, category):
    submission = ready(draft(award, category))

    with translation.override("en"), pytest.raises(services.StaleVersion) as error:
        services.submission_submit(
            submission=submission, actor=submission.created_by, expected_version=1
        )

    assert error.value.messages == [
        "Someone else saved this entry in the meantime. Please check it and submit again."
    ]
    assert error.value.current.version == 2
    submission.refresh_from_db()
    assert submission.status == "draft"


# --- Submit -------------------------------------------------------------------------------


def test_submit_lists_everything_missing_at_once(award, category):
    submission = draft(award, category)

    with translation.override("en"), pytest.raises(services.IncompleteSubmission) as error:
        submit(submission)

    assert error.value.message_dict == everything_missing(award)
    with translation.override("en"):
        assert services.missing_items(submission) == everything_missing(award)
        # In the form's order: the core fields, the questions, the consents.
        assert list(services.missing_items(submission)) == list(everything_missing(award))
    submission.refresh_from_db()
    assert (submission.status, submission.reference, submission.submitted_at) == (
        "draft",
        None,
        None,
    )


def test_blank_text_counts_as_missing_and_a_document_is_no_image(award, category):
    submission = update(
        draft(award, category),
        **{**complete_entry_fields(), **STANDARD_ANSWERS, "title": "   ", "team": "\n\t "},
    )
    services.attachment_add(
        submission=submission,
        actor=submission.created_by,
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    )

    with translation.override("en"):
        assert services.missing_items(submission) == {
            "title": ["Give the entry a title."],
            award.questions.get(key="team").field_name: ["Answer “Team”."],
            award.questions.get(key="images").field_name: [
                "Add a file to “Images of the innovation”."
            ],
        }


def test_submit_assigns_reference_numbers_per_category(award, category):
    other_category = CategoryFactory(award=award, code="BAU", max_entries_per_organisation=None)
    category.max_entries_per_organisation = None
    category.save()

    first = submit(ready(draft(award, category)))
    second = submit(ready(draft(award, category)))
    elsewhere = submit(ready(draft(award, other_category)))

    assert first.reference == "LIA-2031-MOB-0001"
    assert second.reference == "LIA-2031-MOB-0002"
    assert elsewhere.reference == "LIA-2031-BAU-0001"
    assert first.status == "submitted" and first.submitted_at is not None
    assert SubmissionSequence.objects.get(category=category).last_number == 2


def test_the_reference_is_kept_through_withdraw_reopen_and_resubmit(award, category):
    submission = submit(ready(draft(award, category)))
    actor = submission.created_by

    submission = services.submission_withdraw(submission=submission, actor=actor)
    submission = services.submission_reopen(submission=submission, actor=actor)
    assert (submission.status, submission.reference) == ("draft", "LIA-2031-MOB-0001")
    submission = submit(submission)

    assert (submission.status, submission.reference) == ("submitted", "LIA-2031-MOB-0001")
    assert SubmissionSequence.objects.get(category=category).last_number == 1
    entries = AuditEntry.objects.filter(object_id=str(submission.pk)).order_by("pk")
    assert [
        (e.action, e.data.get("from"), e.data.get("to"))
        for e in entries
        if e.action.startswith("submission.")
    ] == [
        ("submission.submitted", "draft", "submitted"),
        ("submission.withdrawn", "submitted", "withdrawn"),
        ("submission.reopened", "withdrawn", "draft"),
        ("submission.submitted", "draft", "submitted"),
    ]
    assert entries.filter(action="submission.submitted").first().data["reference"] == (
        "LIA-2031-MOB-0001"
    )


def test_a_submitted_entry_cannot_lose_a_required_field(award, category):
    submission = submit(ready(draft(award, category)))

    with translation.override("en"), pytest.raises(services.IncompleteSubmission) as error:
        update(submission, summary="", consent_terms=False)

    assert error.value.message_dict == {
        "summary": ["Write the short summary."],
        "consent_terms": ["Accept the conditions of participation."],
    }
    submission.refresh_from_db()
    assert submission.summary == complete_entry_fields()["summary"]


# --- Entry limit --------------------------------------------------------------------------


def test_the_entry_limit_per_organisation_and_category(award, category):
    organisation = OrganisationFactory()
    first = submit(ready(draft(award, category, organisation)))
    second = ready(draft(award, category, organisation))

    with translation.override("en"), pytest.raises(services.EntryLimitReached) as error:
        submit(second)

    assert error.value.messages == [
        "An organisation may submit at most 1 entry in “Mobility”, and yours already has."
    ]
    second.refresh_from_db()
    assert (second.status, second.reference) == ("draft", None)
    # A withdrawn entry frees the place.
    services.submission_withdraw(submission=first, actor=first.created_by)
    assert submit(second).status == "submitted"


def test_the_entry_limit_message_for_more_than_one(award, category):
    category.max_entries_per_organisation = 2
    category.save()
    organisation = OrganisationFactory()
    submit(ready(draft(award, category, organisation)))
    submit(ready(draft(award, category, organisation)))

    with translation.override("en"), pytest.raises(services.EntryLimitReached) as error:
        submit(ready(draft(award, category, organisation)))

    assert error.value.messages == [
        "An organisation may submit at most 2 entries in “Mobility”, and yours already has."
    ]


def test_the_entry_limit_counts_per_organisation_and_per_category(award, category):
    organisation = OrganisationFactory()
    other_category = CategoryFactory(award=award)
    submit(ready(draft(award, category, organisation)))

    assert submit(ready(draft(award, category))).status == "submitted"
    assert submit(ready(draft(award, other_category, organisation))).status == "submitted"


def test_drafts_and_eligibility_decisions_count_as_they_should(award, category):
    organisation = OrganisationFactory()
    # Drafts do not count; decided entries do.
    ready(draft(award, category, organisation))
    decided = draft(award, category, organisation, status="ineligible")
    waiting = ready(draft(award, category, organisation))

    with pytest.raises(services.EntryLimitReached):
        submit(waiting)

    decided.delete()
    assert submit(waiting).status == "submitted"


def test_no_limit_when_the_category_has_none(award, category):
    category.max_entries_per_organisation = None
    category.save()
    organisation = OrganisationFactory()

    references = [submit(ready(draft(award, category, organisation))).reference for _ in range(3)]

    assert references == ["LIA-2031-MOB-0001", "LIA-2031-MOB-0002", "LIA-2031-MOB-0003"]


# --- Transitions ------------------------------------------------------------------------


def _act(target, submission, actor):
    if target == SubmissionStatus.SUBMITTED:
        return services.submission_submit(
            submission=submission, actor=actor, expected_version=submission.version
        )
    if target == SubmissionStatus.WITHDRAWN:
        return services.submission_withdraw(submission=submission, actor=actor)
    if target == SubmissionStatus.DRAFT:
        return services.submission_reopen(submission=submission, actor=actor)
    return services.eligibility_decide(
        submission=submission,
        actor=actor,
        eligible=target == SubmissionStatus.ELIGIBLE,
        reason="Outside the region.",
    )


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (start, target)
        for start in SubmissionStatus.values
        for target in SubmissionStatus.values
        if target not in SUBMISSION_TRANSITIONS[start] and target != start
    ]
    + [
        (SubmissionStatus.SUBMITTED, SubmissionStatus.SUBMITTED),
        (SubmissionStatus.WITHDRAWN, SubmissionStatus.WITHDRAWN),
        (SubmissionStatus.DRAFT, SubmissionStatus.DRAFT),
    ],
)
def test_every_illegal_transition_is_refused_with_its_message(award, category, start, target):
    submission = draft(award, category, status=start, **complete_entry_fields())

    with translation.override("en"), pytest.raises(services.SubmissionTransitionError) as error:
        _act(target, submission, submission.created_by)

    with translation.override("en"):
        labels = str(SubmissionStatus(start).label), str(SubmissionStatus(target).label)
    assert error.value.messages == ["An entry cannot go from “{}” to “{}”.".format(*labels)]
    submission.refresh_from_db()
    assert (submission.status, submission.version) == (start, 1)
    assert not AuditEntry.objects.exists()
    assert not Message.objects.exists()


@pytest.mark.parametrize("status", ["withdrawn", "eligible", "ineligible"])
def test_only_drafts_and_submitted_entries_can_be_edited(award, category, status):
    submission = draft(award, category, status=status)

    with translation.override("en"), pytest.raises(services.SubmissionTransitionError) as error:
        update(submission, title="Changed")

    label = SubmissionStatus(status).label
    with translation.override("en"):
        assert error.value.messages == [f"An entry that is “{label}” cannot be changed."]
    submission.refresh_from_db()
    assert submission.title != "Changed"


# --- Eligibility ------------------------------------------------------------------------


@pytest.fixture
def team(award, category):
    """A submitted entry of an organisation with a German owner and an English member."""
    owner = MembershipFactory(user=UserFactory(preferred_language="de"))
    member = MembershipFactory(
        organisation=owner.organisation, user=UserFactory(preferred_language="en"), role="member"
    )
    submission = submit(ready(draft(award, category, owner.organisation, created_by=owner.user)))
    Message.objects.all().delete()
    return submission, owner.user, member.user


def test_not_eligible_needs_a_reason(award, team):
    submission, _owner, _member = team
    organiser = AwardRoleFactory(award=award, role="organiser").user

    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.eligibility_decide(
            submission=submission, actor=organiser, eligible=False, reason="  "
        )

    assert error.value.message_dict == {"reason": ["Say why the entry is not eligible."]}
    submission.refresh_from_db()
    assert submission.status == "submitted"
    assert not AuditEntry.objects.filter(action="submission.eligibility").exists()
    assert not Message.objects.exists()


def test_each_eligibility_decision_is_logged_and_told_to_every_member(award, team):
    submission, owner, member = team
    organiser = AwardRoleFactory(award=award, role="organiser").user

    services.eligibility_decide(
        submission=submission, actor=organiser, eligible=False, reason=" Outside the region. "
    )
    decided = services.eligibility_decide(submission=submission, actor=organiser, eligible=True)

    assert (decided.status, decided.eligibility_reason) == ("eligible", "")
    entries = AuditEntry.objects.filter(action="submission.eligibility").order_by("pk")
    assert [(e.actor, e.data) for e in entries] == [
        (organiser, {"from": "submitted", "to": "ineligible", "reason": "Outside the region."}),
        (organiser, {"from": "ineligible", "to": "eligible", "reason": ""}),
    ]
    messages = Message.objects.filter(template_key="submission.eligibility").order_by("pk")
    assert [(m.recipient, m.language, m.context["decision"]) for m in messages] == [
        (owner, "de", "nicht zugelassen"),
        (member, "en", "not eligible"),
        (owner, "de", "zugelassen"),
        (member, "en", "eligible"),
    ]
    ineligible_de, ineligible_en = messages[0], messages[1]
    assert ineligible_de.subject == "Zulassungsprüfung Ihrer Einreichung LIA-2031-MOB-0001"
    assert "ist nicht zugelassen." in ineligible_de.body_text
    assert "Outside the region." in ineligible_de.body_text
    assert ineligible_en.subject == "Eligibility check of your entry LIA-2031-MOB-0001"
    assert "is not eligible." in ineligible_en.body_text


def test_repeating_a_decision_changes_nothing_but_a_corrected_reason_is_told(award, team):
    submission, _owner, _member = team
    organiser = AwardRoleFactory(award=award, role="organiser").user
    decide = services.eligibility_decide

    decide(submission=submission, actor=organiser, eligible=False, reason="Too late.")
    decide(submission=submission, actor=organiser, eligible=False, reason="Too late.")
    assert AuditEntry.objects.filter(action="submission.eligibility").count() == 1
    assert Message.objects.count() == 2

    corrected = decide(
        submission=submission, actor=organiser, eligible=False, reason="Outside the region."
    )

    assert (corrected.status, corrected.eligibility_reason) == (
        "ineligible",
        "Outside the region.",
    )
    last = AuditEntry.objects.filter(action="submission.eligibility").last()
    assert last.data == {"from": "ineligible", "to": "ineligible", "reason": "Outside the region."}
    assert Message.objects.count() == 4


# --- Confirmation -------------------------------------------------------------------------


def test_submit_confirms_to_every_member_in_their_language(award, category):
    owner = MembershipFactory(user=UserFactory(preferred_language="de", full_name="Erika"))
    member = MembershipFactory(
        organisation=owner.organisation,
        user=UserFactory(preferred_language="en", full_name="Sam"),
        role="member",
    )
    MembershipFactory(user=UserFactory())  # a member of another organisation
    submission = ready(draft(award, category, owner.organisation, created_by=owner.user))

    submission = submit(submission, actor=member.user)

    messages = Message.objects.filter(template_key="submission.received").order_by("pk")
    assert [(m.recipient, m.recipient_email, m.language) for m in messages] == [
        (owner.user, owner.user.email, "de"),
        (member.user, member.user.email, "en"),
    ]
    german, english = messages
    assert german.subject == "Ihre Einreichung LIA-2031-MOB-0001 ist eingegangen"
    assert english.subject == "Your entry LIA-2031-MOB-0001 has been received"
    assert "in der Kategorie Mobilität" in german.body_text
    assert "in the category Mobility" in english.body_text
    assert f"/submissions/{submission.pk}/" in english.body_text
    assert all(m.award == award for m in messages)


def test_resubmitting_confirms_again(award, category):
    submission = submit(ready(draft(award, category)))
    submission = services.submission_withdraw(submission=submission, actor=submission.created_by)
    submission = services.submission_reopen(submission=submission, actor=submission.created_by)

    submit(submission)

    assert Message.objects.filter(template_key="submission.received").count() == 2


def test_a_refused_submit_sends_nothing(award, category):
    with pytest.raises(services.IncompleteSubmission):
        submit(draft(award, category))

    assert not Message.objects.exists()


# --- What text fields accept ---------------------------------------------------------------


def test_html_and_script_in_text_fields_are_stored_exactly_as_typed(award, category):
    typed = {
        "title": "<script>alert('title')</script>",
        "summary": '<a href="javascript:alert(1)">Mehr</a>',
        "description": '<div hx-get="/manage/" hx-trigger="load" data-hx-post="/x">x</div>',
        "team": '=HYPERLINK("http://evil.example")',
        "innovation": "<img src=x onerror=alert(1)>",
    }

    saved = update(draft(award, category), **typed)

    stored = Submission.objects.get(pk=saved.pk)
    assert {
        field: getattr(stored, field) if field in ("title", "summary") else answer_of(stored, field)
        for field in typed
    } == typed


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://example.org/video.mp4",
        "https://example.org/\njavascript:alert(1)",
    ],
)
def test_a_video_link_must_be_http_or_https(award, category, url):
    submission = draft(award, category)

    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            update(submission, video_url=url)

        assert error.value.message_dict == {
            award.questions.get(key="video_url").field_name: ["Enter a valid URL."]
        }
    submission.refresh_from_db()
    assert (answer_of(submission, "video_url"), submission.version) == (None, 1)


def test_a_web_video_link_is_accepted(award, category):
    saved = update(draft(award, category), video_url="https://www.youtube.com/watch?v=abc123")

    assert answer_of(saved, "video_url") == "https://www.youtube.com/watch?v=abc123"


@pytest.mark.django_db(transaction=True)
def test_colleagues_submitting_at_once_cannot_both_take_the_last_place():
    # On SQLite writers are serialised anyway; on PostgreSQL the organisation's row lock is
    # what keeps the second submit from counting before the first has committed.
    award = AwardFactory(status="open")
    category = CategoryFactory(award=award, max_entries_per_organisation=1)
    organisations = [OrganisationFactory() for _ in range(5)]
    drafts = [ready(draft(award, category, o)) for o in organisations for _ in range(2)]
    start = threading.Barrier(len(drafts))
    outcomes: list[str] = []

    def attempt(submission) -> None:
        try:
            submission.refresh_from_db()
            start.wait()
            services.submission_submit(
                submission=submission,
                actor=submission.created_by,
                expected_version=submission.version,
            )
            outcomes.append("submitted")
        except services.EntryLimitReached:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["refused"] * 5 + ["submitted"] * 5
    for organisation in organisations:
        assert organisation.submissions.filter(status="submitted").count() == 1
