"""Retention: some months after the results, the files and texts of entries that won
nothing are deleted (a month after their companies were told); entries with a place or a
special mention keep everything. The daily beat task does it, once, and the change log says
so."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import formats, timezone, translation
from PIL import Image

from awards.forms import AwardSettingsForm
from awards.models import AuditEntry, Award, Round
from awards.services import award_update
from notifications.models import Message
from results.models import Decision, RankingSnapshot
from submissions import previews, retention, tasks
from submissions.models import Attachment, Submission
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.helpers import document_pages_stored, png_bytes

pytestmark = pytest.mark.django_db

NOTICE = "submission.retention_notice"
DAY = dt.timedelta(days=1)


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), "blue").save(buffer, "JPEG")
    return buffer.getvalue()


def image_of(submission) -> Attachment:
    """An image with its thumbnail, stored as an upload stores them."""
    attachment = Attachment(
        submission=submission,
        kind="image",
        original_name="photo.png",
        content_type="image/png",
        size=100,
        sha256="1" * 64,
    )
    attachment.file.save("photo.png", ContentFile(png_bytes()), save=False)
    attachment.thumbnail.save("photo.jpg", ContentFile(jpeg_bytes()), save=False)
    attachment.save()
    return attachment


def document_of(submission) -> Attachment:
    """A PDF with two rendered page images (in both sizes)."""
    attachment = Attachment(
        submission=submission,
        kind="document",
        original_name="brochure.pdf",
        content_type="application/pdf",
        size=100,
        sha256="2" * 64,
    )
    attachment.file.save("brochure.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    attachment.save()
    document_pages_stored(attachment, pages=2)
    return attachment


def stored(attachment: Attachment) -> list[str]:
    """Every name ``attachment`` has in the storage: file, thumbnail, page images."""
    names = [f.name for f in (attachment.file, attachment.thumbnail) if f]
    try:
        _dirs, pages = default_storage.listdir(previews.folder(attachment))
    except FileNotFoundError:
        pages = []
    return names + [f"{previews.folder(attachment)}/{page}" for page in pages]


def decide(entry: Submission, kind: str = "place", place: int | None = 1) -> Decision:
    round_ = Round.objects.filter(award=entry.award).first() or RoundFactory(
        award=entry.award, number=1
    )
    snapshot = RankingSnapshot.objects.create(
        award=entry.award, category=entry.category, round=round_, digest="0" * 64
    )
    return Decision.objects.create(
        award=entry.award,
        category=entry.category,
        submission=entry,
        kind=kind,
        place=place,
        snapshot=snapshot,
        decided_at=timezone.now(),
    )


class Scene:
    """A published award: a winner, a special mention, an entry that won nothing (its company
    has two members, German and English) and a draft that was never submitted."""

    def __init__(self, *, published_at: dt.datetime, retention_months: int = 12):
        self.award = AwardFactory(
            status="published",
            timezone="Europe/Berlin",
            results_published_at=published_at,
            retention_months=retention_months,
            organiser_name="Composites United e.V.",
        )
        category = CategoryFactory(award=self.award, name_de="Mobilität", name_en="Mobility")

        def entry(title: str, status: str = "eligible", members: tuple[str, ...] = ("de",)):
            organisation = OrganisationFactory(name=f"{title} GmbH")
            users = [UserFactory(preferred_language=language) for language in members]
            for user in users:
                MembershipFactory(organisation=organisation, user=user)
            submission = SubmissionFactory(
                award=self.award,
                category=category,
                organisation=organisation,
                created_by=users[0],
                title=title,
                status=status,
                reference=f"LIA-{title.upper()[:4]}" if status != "draft" else None,
                summary=f"What {title} does, in 600 characters.",
                answers={"12": {"value": "Our secret recipe", "version": 1}},
                answers_text="our secret recipe",
                choice_answers={"13": ["yes"]},
                eligibility_reason="Based in Berlin.",
            )
            return submission, users

        self.winner, self.winner_members = entry("Winner")
        self.mention, self.mention_members = entry("Mention")
        self.loser, self.loser_members = entry("Loser", members=("de", "en"))
        self.draft, self.draft_members = entry("Draft", status="draft")
        decide(self.winner)
        decide(self.mention, kind="mention", place=None)
        self.files = {
            entry.pk: [image_of(entry), document_of(entry)]
            for entry in (self.winner, self.mention, self.loser, self.draft)
        }

    def names(self, entry: Submission) -> list[str]:
        return [name for attachment in self.files[entry.pk] for name in stored(attachment)]


def months_ago(months: int, now: dt.datetime | None = None) -> dt.datetime:
    return retention.add_months(now or timezone.now(), -months)


def notices() -> list[Message]:
    return list(Message.objects.filter(template_key=NOTICE).order_by("recipient_email"))


def audit(award: Award, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(award=award, action=action))


# --- The whole way: told, then deleted a month later ----------------------------------------


def test_an_award_published_13_months_ago_is_told_first_and_deleted_a_month_later(
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    scene = Scene(published_at=months_ago(13, now))
    kept = {e.pk: scene.names(e) for e in (scene.winner, scene.mention)}
    doomed = scene.names(scene.loser) + scene.names(scene.draft)
    assert len(doomed) == 2 * (2 + 1 + 4)  # image + thumbnail, PDF + two pages in two sizes
    assert all(default_storage.exists(name) for name in doomed)

    # Today: the date has passed, but nobody was told yet, so they are told now and the
    # deletion is a month from now.
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.retention_sweep(now=now) == 1

    told = notices()
    assert sorted(m.recipient_id for m in told) == sorted(
        u.pk for u in scene.loser_members + scene.draft_members
    )
    assert all(default_storage.exists(name) for name in doomed)
    scene.award.refresh_from_db()
    assert scene.award.retention_notice_sent_at == now
    assert scene.award.retention_done_at is None
    deletion_at = retention.add_months(now, 1)
    assert retention.retention_deletion_at(scene.award) == deletion_at
    [entry] = audit(scene.award, "retention.notice_sent")
    assert (entry.data["entries"], entry.data["messages"]) == (2, 3)

    # Running again the same day, or the day before the date: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.retention_sweep(now=now + DAY) == 0
        assert retention.retention_sweep(now=deletion_at - dt.timedelta(minutes=1)) == 0
    assert len(notices()) == 3
    assert all(default_storage.exists(name) for name in doomed)

    # The date: the entries that won nothing lose their files and texts.
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.retention_sweep(now=deletion_at) == 1

    assert [name for name in doomed if default_storage.exists(name)] == []
    assert not Attachment.objects.filter(submission__in=[scene.loser, scene.draft]).exists()
    for entry in (scene.loser, scene.draft):
        entry.refresh_from_db()
        assert (entry.summary, entry.answers, entry.answers_text) == ("", {}, "")
        assert (entry.choice_answers, entry.eligibility_reason) == ({}, "")
    scene.loser.refresh_from_db()
    assert (scene.loser.title, scene.loser.reference, scene.loser.status) == (
        "Loser",
        "LIA-LOSE",
        "eligible",
    )
    assert scene.loser.organisation.name == "Loser GmbH"
    # The winner and the special mention keep everything.
    for entry in (scene.winner, scene.mention):
        assert all(default_storage.exists(name) for name in kept[entry.pk])
        assert entry.attachments.count() == 2
        entry.refresh_from_db()
        assert entry.summary.startswith("What ")
        assert entry.answers == {"12": {"value": "Our secret recipe", "version": 1}}
    scene.award.refresh_from_db()
    assert scene.award.retention_done_at == deletion_at
    [applied] = audit(scene.award, "retention.applied")
    assert (applied.data["entries"], applied.data["files"]) == (2, 4)
    assert applied.actor is None


def test_the_notice_names_the_day_and_speaks_each_members_language():
    now = timezone.now()
    scene = Scene(published_at=months_ago(13, now))

    retention.retention_notice_send(scene.award, now=now)

    day = timezone.localtime(retention.add_months(now, 1), scene.award.tzinfo).date()
    german, english = (
        Message.objects.get(template_key=NOTICE, recipient=user) for user in scene.loser_members
    )
    with translation.override("de"):
        german_day = formats.date_format(day, "DATE_FORMAT")
    with translation.override("en"):
        english_day = formats.date_format(day, "DATE_FORMAT")
    assert (
        german.subject == f"{scene.award}: Die Dateien und Texte Ihrer Einreichung werden gelöscht"
    )
    assert f"Ab dem {german_day} löschen wir" in german.body_text
    assert "„Loser“ in der Kategorie Mobilität" in german.body_text
    link = f"{settings.SITE_URL}/submissions/{scene.loser.pk}/"
    assert link in german.body_text
    assert german.body_text.startswith(f"Guten Tag {scene.loser_members[0].full_name},")
    assert f"From {english_day} on, we will therefore delete" in english.body_text
    assert "in the category Mobility" in english.body_text


def test_an_award_on_time_is_told_a_month_before_and_deleted_on_the_day(
    django_capture_on_commit_callbacks,
):
    published = timezone.now().replace(microsecond=0) - dt.timedelta(days=400)
    scene = Scene(published_at=published)
    deletion_at = retention.add_months(published, 12)
    notice_at = retention.add_months(published, 11)

    assert retention.retention_sweep(now=notice_at - dt.timedelta(minutes=1)) == 0
    assert notices() == []
    assert retention.retention_sweep(now=notice_at) == 1
    assert len(notices()) == 3
    scene.award.refresh_from_db()
    # Told a month ahead: the date stays the one the retention period gives.
    assert retention.retention_deletion_at(scene.award) == deletion_at

    with django_capture_on_commit_callbacks(execute=True):
        assert retention.retention_sweep(now=deletion_at - dt.timedelta(minutes=1)) == 0
    assert Attachment.objects.filter(submission=scene.loser).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.retention_sweep(now=deletion_at) == 1
    assert Attachment.objects.filter(submission=scene.loser).count() == 0
    assert len(notices()) == 3  # told once, not again at the deletion


# --- What is never deleted ----------------------------------------------------------------


def test_retention_0_keeps_everything_for_ever():
    now = timezone.now()
    scene = Scene(published_at=months_ago(60, now), retention_months=0)
    names = scene.names(scene.loser)

    assert retention.retention_due_awards(now + dt.timedelta(days=3650)) == []
    assert retention.retention_sweep(now=now + dt.timedelta(days=3650)) == 0
    assert retention.retention_notice_send(scene.award, now=now) == 0
    assert retention.retention_apply(scene.award, now=now) is None

    assert notices() == []
    assert all(default_storage.exists(name) for name in names)
    scene.loser.refresh_from_db()
    assert scene.loser.summary != ""
    assert (
        AuditEntry.objects.filter(award=scene.award, action__startswith="retention.").count() == 0
    )


def test_nothing_happens_before_the_notice_date_or_without_published_results():
    now = timezone.now()
    recent = Scene(published_at=months_ago(10, now))
    unpublished = AwardFactory(status="decided", results_published_at=None, retention_months=12)

    assert retention.retention_due_awards(now) == []
    assert retention.retention_sweep(now=now) == 0
    # Called directly before its date, the deletion refuses too.
    assert retention.retention_apply(recent.award, now=now) is None
    assert retention.retention_apply(unpublished, now=now) is None

    assert notices() == []
    assert recent.loser.attachments.count() == 2


def test_the_deletion_waits_for_the_notice():
    now = timezone.now()
    scene = Scene(published_at=months_ago(24, now))

    assert retention.retention_apply(scene.award, now=now) is None

    assert scene.loser.attachments.count() == 2


def test_a_second_run_changes_nothing(django_capture_on_commit_callbacks):
    now = timezone.now()
    scene = Scene(published_at=months_ago(13, now))
    retention.retention_notice_send(scene.award, now=months_ago(1, now))
    with django_capture_on_commit_callbacks(execute=True):
        first = retention.retention_apply(scene.award, now=now)

    assert first == retention.RetentionResult(entries=2, files=4, messages=0)
    assert retention.retention_notice_send(scene.award, now=now) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.retention_apply(scene.award, now=now + DAY) is None
    assert retention.retention_due_awards(now + DAY) == []
    assert len(audit(scene.award, "retention.notice_sent")) == 1
    assert len(audit(scene.award, "retention.applied")) == 1
    assert len(notices()) == 3


def test_the_outbox_copies_of_the_entries_texts_are_blanked(django_capture_on_commit_callbacks):
    now = timezone.now()
    scene = Scene(published_at=months_ago(13, now))

    def copy(entry, key):
        return Message.objects.create(
            award=scene.award,
            recipient_email="someone@example.org",
            language="de",
            template_key=key,
            idempotency_key=f"{key}:{entry.pk}:2026-01-01T00:00:00:1",
            context={"answers": "Our secret recipe"},
            subject="Ihre Einreichung ist eingegangen",
            body_text="Ihre Angaben: Our secret recipe",
            body_html="<p>Our secret recipe</p>",
        )

    lost = copy(scene.loser, "submission.received")
    reason = copy(scene.loser, "submission.eligibility")
    won = copy(scene.winner, "submission.received")
    retention.retention_notice_send(scene.award, now=months_ago(1, now))
    with django_capture_on_commit_callbacks(execute=True):
        result = retention.retention_apply(scene.award, now=now)

    assert result.messages == 2
    for message in (lost, reason):
        message.refresh_from_db()
        assert "secret" not in message.body_text + message.body_html + str(message.context)
        assert message.subject == "Ihre Einreichung ist eingegangen"
    won.refresh_from_db()
    assert "Our secret recipe" in won.body_text


# --- The beat task ----------------------------------------------------------------------


def test_the_daily_beat_task_tells_and_is_scheduled():
    scene = Scene(published_at=months_ago(13))

    assert tasks.retention_sweep() == 1
    assert tasks.retention_sweep() == 0

    assert len(notices()) == 3
    scene.award.refresh_from_db()
    assert scene.award.retention_notice_sent_at is not None
    schedule = settings.CELERY_BEAT_SCHEDULE["retention-sweep"]
    assert schedule == {"task": "submissions.retention_sweep", "schedule": DAY}


def test_the_beat_task_deletes_when_the_day_has_come(django_capture_on_commit_callbacks):
    scene = Scene(published_at=months_ago(14))
    retention.retention_notice_send(scene.award, now=months_ago(1) - DAY)
    names = scene.names(scene.loser)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.retention_sweep() == 1

    assert [name for name in names if default_storage.exists(name)] == []
    assert all(default_storage.exists(name) for name in scene.names(scene.winner))


# --- What people see ----------------------------------------------------------------------


def test_the_applicants_entry_page_says_the_texts_were_deleted(
    client, django_capture_on_commit_callbacks
):
    now = timezone.now()
    scene = Scene(published_at=months_ago(13, now))
    retention.retention_notice_send(scene.award, now=months_ago(1, now))
    with django_capture_on_commit_callbacks(execute=True):
        retention.retention_apply(scene.award, now=now)
    loser_member = scene.loser_members[1]  # reads English

    client.force_login(loser_member)
    page = client.get(f"/submissions/{scene.loser.pk}/").content.decode()
    client.force_login(scene.winner_members[0])
    winner_page = client.get(f"/submissions/{scene.winner.pk}/").content.decode()

    assert 'data-testid="retention-deleted"' in page
    assert "The files and texts of this entry were deleted on" in page
    assert 'data-testid="retention-deleted"' not in winner_page


def test_the_organiser_sets_the_period_on_the_settings_page(client):
    award = AwardFactory(status="draft")
    organiser = AwardRoleFactory(award=award, user=UserFactory(preferred_language="en")).user

    form = AwardSettingsForm(instance=award)
    assert "retention_months" in form.fields
    client.force_login(organiser)
    page = client.get(reverse("awards:settings", kwargs={"slug": award.slug})).content.decode()
    assert 'name="retention_months" value="12"' in page
    assert "their companies are told a month before. 0 keeps them." in page

    award_update(award=award, actor=organiser, retention_months=6)

    award.refresh_from_db()
    assert award.retention_months == 6
    [entry] = AuditEntry.objects.filter(award=award, action="award.updated")
    assert entry.data["changes"]["retention_months"] == {"before": 12, "after": 6}
