"""Publication of the results, to the second: scheduling, cancelling, the task that flips the
award to published and mails everyone exactly once, and what the public sees one second
before and one second after the announced moment (a frozen clock)."""

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from awards.models import AuditEntry, Award
from awards.services import award_transition
from jury import services
from jury.models import RoundEntry
from notifications.models import Message
from results import services as results_services
from results.models import Decision
from submissions.models import Attachment
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    CriterionFactory,
    JurorFactory,
    MembershipFactory,
    OrganisationFactory,
    RoundFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.helpers import png_bytes

pytestmark = pytest.mark.django_db

SECOND = dt.timedelta(seconds=1)


def later(**delta) -> dt.datetime:
    """A moment ahead of now, in whole seconds (as an organiser schedules it; the audit log
    keeps milliseconds)."""
    return (timezone.now() + dt.timedelta(**delta)).replace(microsecond=0)


JUSTIFICATION = "The jury's unanimous choice after the final discussion."


def _organisation(name: str, *languages: str, inactive: int = 0):
    organisation = OrganisationFactory(name=name)
    members = [UserFactory(preferred_language=language) for language in languages]
    for user in members:
        MembershipFactory(organisation=organisation, user=user)
    for _ in range(inactive):
        MembershipFactory(organisation=organisation, user=UserFactory(is_active=False))
    return organisation, members


def jpeg_bytes(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "blue").save(buffer, "JPEG")
    return buffer.getvalue()


def image_of(submission) -> Attachment:
    """An image attachment with its thumbnail, stored as an upload would store it."""
    attachment = Attachment(
        submission=submission,
        kind="image",
        original_name="photo.png",
        content_type="image/png",
        size=100,
        sha256="0" * 64,
    )
    attachment.file.save("photo.png", ContentFile(png_bytes()), save=False)
    attachment.thumbnail.save("photo.jpg", ContentFile(jpeg_bytes()), save=False)
    attachment.save()
    return attachment


def decided_award(**award_fields) -> SimpleNamespace:
    """An award decided in both categories, through the real services.

    Construction: Studio Sven Pfeiffer wins (two active members, one inactive), Leichtbau
    Nord second, Faserwerk third, Harzer Composites a special mention, Carbonwerk Süd (two
    members) not selected. Mobility: Red Arrow technologies UG wins, Flachs & Co. not
    selected (its draft and withdrawn entries never count), Glasfaser Ost ineligible. Two
    active jurors and one who left the jury."""
    now = timezone.now()
    award = AwardFactory(
        status="judging",
        places_per_category=3,
        special_mentions=True,
        submissions_open_at=now - dt.timedelta(days=60),
        submissions_close_at=now - dt.timedelta(days=30),
        jury_deadline_at=now - dt.timedelta(days=2),
        announcement_at=now + dt.timedelta(days=5),
        **award_fields,
    )
    construction = CategoryFactory(
        award=award,
        code="CON",
        name_de="Bauwesen",
        name_en="Construction",
        position=0,
        prize_amount=Decimal("10000"),
    )
    mobility = CategoryFactory(
        award=award,
        code="MOB",
        name_de="Mobilität",
        name_en="Mobility",
        position=1,
        prize_amount=Decimal("10000"),
    )
    CriterionFactory(award=award)
    round_ = RoundFactory(award=award, number=1, status="open", opened_at=now)

    def entry(category, organisation, title, status="eligible", in_round=True, consent=True):
        submission = SubmissionFactory(
            award=award,
            category=category,
            organisation=organisation[0],
            created_by=organisation[1][0],
            title=title,
            summary=f"Summary of the {title.lower()}.",
            status=status,
            consent_publication=consent,
        )
        if in_round:
            RoundEntry.objects.create(round=round_, submission=submission)
        return submission

    orgs = SimpleNamespace(
        pfeiffer=_organisation("Studio Sven Pfeiffer", "de", "en", inactive=1),
        nord=_organisation("Leichtbau Nord GmbH", "en"),
        faser=_organisation("Faserwerk AG", "en"),
        harz=_organisation("Harzer Composites", "en"),
        carbon=_organisation("Carbonwerk Süd GmbH", "de", "en"),
        red_arrow=_organisation("Red Arrow technologies UG", "de"),
        flachs=_organisation("Flachs & Co. KG", "de"),
        glas=_organisation("Glasfaser Ost GmbH", "en"),
    )
    e = SimpleNamespace(
        pavilion=entry(construction, orgs.pfeiffer, "Timber shell pavilion"),
        slab=entry(construction, orgs.nord, "Hollow core slab"),
        rebar=entry(construction, orgs.faser, "Basalt rebar"),
        deck=entry(construction, orgs.harz, "Resin bridge deck"),
        facade=entry(construction, orgs.carbon, "Carbon facade panel"),
        cargo=entry(mobility, orgs.red_arrow, "Folding cargo bike"),
        seat=entry(mobility, orgs.flachs, "Flax seat shell"),
        door=entry(mobility, orgs.flachs, "Hemp door", status="draft", in_round=False),
        floor=entry(mobility, orgs.flachs, "Cork floor", status="withdrawn", in_round=False),
        wheel=entry(mobility, orgs.glas, "Glass fibre wheel", status="ineligible", in_round=False),
    )
    jurors = [JurorFactory(award=award, categories=[construction, mobility]) for _ in range(2)]
    JurorFactory(award=award, categories=[construction], is_active=False)
    organiser = AwardRoleFactory(award=award, role="organiser").user
    services.round_close(round=round_, actor=organiser)
    results_services.decision_confirm(
        award=award,
        category=construction,
        choice=results_services.Choice(
            places=[e.pavilion.pk, e.slab.pk, e.rebar.pk], mentions=[e.deck.pk]
        ),
        justification=JUSTIFICATION,
        actor=organiser,
    )
    results_services.decision_confirm(
        award=award,
        category=mobility,
        choice=results_services.Choice(places=[e.cargo.pk]),
        justification=JUSTIFICATION,
        actor=organiser,
    )
    award.refresh_from_db()
    assert award.status == "decided"
    return SimpleNamespace(
        award=award,
        construction=construction,
        mobility=mobility,
        round=round_,
        orgs=orgs,
        e=e,
        jurors=jurors,
        organiser=organiser,
    )


@pytest.fixture
def scene():
    return decided_award()


def schedule(scene, at):
    return results_services.publication_schedule(award=scene.award, at=at, actor=scene.organiser)


def reload(award) -> Award:
    return Award.objects.get(pk=award.pk)


def mails() -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in Message.objects.values_list("template_key", flat=True):
        counts[key] = counts.get(key, 0) + 1
    return counts


def recipients(key: str) -> list[tuple[str, str]]:
    return sorted(
        Message.objects.filter(template_key=key).values_list(
            "recipient_email", "context__submission_title"
        )
    )


EXPECTED_MAILS = {
    "result.winner": 3,
    "result.placed": 3,
    "result.not_selected": 4,
    "result.jury": 2,
}


# --- Scheduling --------------------------------------------------------------------------


def test_scheduling_sets_the_moment_and_logs_it(scene):
    at = later(days=3)

    award = schedule(scene, at)

    assert reload(award).results_publish_at == at
    entry = AuditEntry.objects.filter(award=scene.award, action="results.scheduled").get()
    assert entry.actor == scene.organiser
    assert entry.data["before"] is None
    assert dt.datetime.fromisoformat(entry.data["after"]) == at
    assert results_services.results_visible(reload(award)) is False


def test_rescheduling_moves_the_moment(scene):
    first = later(days=3)
    second = first + dt.timedelta(days=1)
    schedule(scene, first)

    schedule(scene, second)

    award = reload(scene.award)
    assert award.results_publish_at == second
    assert results_services.results_visible(award, first + SECOND) is False
    assert results_services.results_publish(award_id=award.pk, now=first + SECOND) is False
    assert results_services.results_visible(award, second + SECOND) is True
    assert results_services.results_publish(award_id=award.pk, now=second + SECOND) is True
    entries = AuditEntry.objects.filter(award=award, action="results.scheduled").order_by("pk")
    assert [dt.datetime.fromisoformat(e.data["after"]) for e in entries] == [first, second]
    assert dt.datetime.fromisoformat(entries[1].data["before"]) == first


def test_a_moment_in_the_past_means_now(scene):
    before = timezone.now()

    schedule(scene, before - dt.timedelta(days=1))

    award = reload(scene.award)
    assert before <= award.results_publish_at <= timezone.now()
    assert results_services.results_visible(award) is True


def test_cancelling_withdraws_the_moment(scene):
    at = later(days=3)
    schedule(scene, at)

    results_services.publication_cancel(award=scene.award, actor=scene.organiser)

    award = reload(scene.award)
    assert award.results_publish_at is None
    assert results_services.results_visible(award, at + SECOND) is False
    assert (
        results_services.results_publish(award_id=award.pk, now=at + dt.timedelta(days=30)) is False
    )
    assert results_services.results_publish_due(now=at + dt.timedelta(days=30)) == 0
    assert reload(award).status == "decided"
    assert Message.objects.count() == 0
    entry = AuditEntry.objects.filter(award=award, action="results.unscheduled").get()
    assert dt.datetime.fromisoformat(entry.data["before"]) == at


def test_cancelling_without_a_schedule_is_refused(scene):
    with translation.override("en"), pytest.raises(results_services.PublicationError) as caught:
        results_services.publication_cancel(award=scene.award, actor=scene.organiser)

    assert caught.value.messages == ["No publication is scheduled."]


def test_cancelling_public_results_is_refused(scene):
    Award.objects.filter(pk=scene.award.pk).update(results_publish_at=timezone.now() - SECOND)

    with translation.override("en"), pytest.raises(results_services.PublicationError) as caught:
        results_services.publication_cancel(award=scene.award, actor=scene.organiser)

    assert caught.value.messages == ["The results are public already; they cannot be withdrawn."]


def test_scheduling_is_refused_before_the_award_is_decided(scene):
    results_services.decision_reopen(
        award=scene.award, category=scene.mobility, reason="Recount.", actor=scene.organiser
    )
    assert reload(scene.award).status == "judging"

    with translation.override("en"), pytest.raises(results_services.PublicationError) as caught:
        schedule(scene, timezone.now() + dt.timedelta(days=1))

    assert caught.value.messages == ["Results can be scheduled once the award is “Decided”."]
    assert reload(scene.award).results_publish_at is None


def test_scheduling_is_refused_while_a_category_has_no_winner(scene):
    # Decided by hand, with a category added afterwards that nobody has decided.
    CategoryFactory(award=scene.award, name_en="Healthcare", position=2)
    results_services.decision_reopen(
        award=scene.award, category=scene.mobility, reason="Recount.", actor=scene.organiser
    )
    award_transition(award=scene.award, to_status="decided", actor=scene.organiser)

    with translation.override("en"), pytest.raises(results_services.PublicationError) as caught:
        schedule(scene, timezone.now() + dt.timedelta(days=1))

    assert caught.value.messages == ["Every category needs its winner first: Mobility, Healthcare."]
    assert reload(scene.award).results_publish_at is None


def test_scheduling_public_results_again_is_refused(scene):
    published_at = timezone.now() - SECOND
    Award.objects.filter(pk=scene.award.pk).update(results_publish_at=published_at)

    with translation.override("en"), pytest.raises(results_services.PublicationError) as caught:
        schedule(scene, timezone.now() + dt.timedelta(days=1))

    assert caught.value.messages == ["The results are public already."]
    assert reload(scene.award).results_publish_at == published_at


# --- The task at the moment --------------------------------------------------------------


@pytest.fixture
def scheduled(scene):
    scene.at = later(hours=1)
    schedule(scene, scene.at)
    return scene


def test_one_second_early_the_task_changes_nothing(scheduled):
    s = scheduled

    assert results_services.results_publish(award_id=s.award.pk, now=s.at - SECOND) is False
    assert results_services.results_publish_due(now=s.at - SECOND) == 0

    award = reload(s.award)
    assert (award.status, award.results_published_at) == ("decided", None)
    assert results_services.results_visible(award, s.at - SECOND) is False
    assert results_services.results_visible(award, s.at) is True
    assert Message.objects.count() == 0
    assert not AuditEntry.objects.filter(action="results.published").exists()


def test_one_second_late_the_task_publishes_and_mails(scheduled):
    s = scheduled

    assert results_services.results_publish(award_id=s.award.pk, now=s.at + SECOND) is True

    award = reload(s.award)
    assert (award.status, award.results_published_at) == ("published", s.at + SECOND)
    assert mails() == EXPECTED_MAILS
    published = AuditEntry.objects.get(award=award, action="results.published")
    assert published.data["mails"] == 12
    change = AuditEntry.objects.filter(award=award, action="award.status_changed").last()
    assert change.data == {"from": "decided", "to": "published", "by": "schedule"}


def test_running_the_task_twice_publishes_and_mails_once(scheduled):
    s = scheduled

    assert results_services.results_publish(award_id=s.award.pk, now=s.at + SECOND) is True
    assert results_services.results_publish(award_id=s.award.pk, now=s.at + 2 * SECOND) is False
    assert results_services.results_publish_due(now=s.at + 3 * SECOND) == 0
    assert results_services.results_publish_due(now=s.at + 4 * SECOND) == 0

    assert reload(s.award).results_published_at == s.at + SECOND
    assert mails() == EXPECTED_MAILS
    assert AuditEntry.objects.filter(action="results.published").count() == 1


def test_the_safety_net_publishes_every_due_award_once(scheduled):
    s = scheduled
    later = decided_award()
    results_services.publication_schedule(
        award=later.award, at=s.at + dt.timedelta(days=1), actor=later.organiser
    )

    assert results_services.results_publish_due(now=s.at + SECOND) == 1
    assert results_services.results_publish_due(now=s.at + SECOND) == 0

    assert reload(s.award).status == "published"
    assert reload(later.award).status == "decided"
    assert Message.objects.filter(award=later.award).count() == 0
    assert mails() == EXPECTED_MAILS


def test_the_winners_are_congratulated_with_their_prize(scheduled):
    s = scheduled
    results_services.results_publish(award_id=s.award.pk, now=s.at + SECOND)
    (de, en), red_arrow = s.orgs.pfeiffer[1], s.orgs.red_arrow[1][0]

    assert recipients("result.winner") == sorted(
        [
            (de.email, "Timber shell pavilion"),
            (en.email, "Timber shell pavilion"),
            (red_arrow.email, "Folding cargo bike"),
        ]
    )
    german = Message.objects.get(template_key="result.winner", recipient=de)
    assert german.body_text.startswith(f"Guten Tag {de.full_name},")
    assert "„Timber shell pavilion“" in german.body_text
    assert "in der Kategorie Bauwesen gewonnen, dotiert mit 10.000\u00a0€." in german.body_text
    url = f"{settings.SITE_URL}/awards/{s.award.slug}/results/"
    assert url in german.body_text
    english = Message.objects.get(template_key="result.winner", recipient=en)
    assert "in the category Construction, with a prize of €10,000." in english.body_text


def test_places_and_mentions_are_named(scheduled):
    s = scheduled
    results_services.results_publish(award_id=s.award.pk, now=s.at + SECOND)

    placed = {
        m.context["submission_title"]: m.body_text
        for m in Message.objects.filter(template_key="result.placed")
    }
    assert set(placed) == {"Hollow core slab", "Basalt rebar", "Resin bridge deck"}
    assert "Construction: second place." in placed["Hollow core slab"]
    assert "Construction: third place." in placed["Basalt rebar"]
    assert "Construction: a special mention." in placed["Resin bridge deck"]
    assert recipients("result.placed") == sorted(
        [
            (s.orgs.nord[1][0].email, "Hollow core slab"),
            (s.orgs.faser[1][0].email, "Basalt rebar"),
            (s.orgs.harz[1][0].email, "Resin bridge deck"),
        ]
    )


def test_every_other_applicant_is_thanked_without_any_position(scheduled):
    s = scheduled
    results_services.results_publish(award_id=s.award.pk, now=s.at + SECOND)
    carbon_de, carbon_en = s.orgs.carbon[1]

    assert recipients("result.not_selected") == sorted(
        [
            (carbon_de.email, "Carbon facade panel"),
            (carbon_en.email, "Carbon facade panel"),
            (s.orgs.flachs[1][0].email, "Flax seat shell"),
            (s.orgs.glas[1][0].email, "Glass fibre wheel"),
        ]
    )
    for message in Message.objects.filter(template_key="result.not_selected"):
        text = message.body_text.lower()
        assert message.context["submission_title"] in message.body_text
        for revealing in ("platz", "place", "rang", "rank", "punkt", "score", "position"):
            assert revealing not in text, (revealing, message.body_text)
        # No number at all apart from the award's edition and the link: no rank, no score.
        rest = message.body_text.replace(message.context["results_url"], "")
        rest = rest.replace(str(s.award), "")
        assert not any(ch.isdigit() for ch in rest), message.body_text
    german = Message.objects.get(template_key="result.not_selected", recipient=carbon_de)
    assert "Ihre Einreichung wurde diesmal nicht ausgezeichnet." in german.body_text


def test_the_active_jurors_get_the_results(scheduled):
    s = scheduled
    results_services.results_publish(award_id=s.award.pk, now=s.at + SECOND)

    assert sorted(
        Message.objects.filter(template_key="result.jury").values_list("recipient", flat=True)
    ) == sorted(j.user.pk for j in s.jurors)
    url = f"{settings.SITE_URL}/awards/{s.award.slug}/results/"
    assert all(url in m.body_text for m in Message.objects.filter(template_key="result.jury"))


def test_nobody_is_mailed_twice(scheduled):
    s = scheduled
    results_services.results_publish(award_id=s.award.pk, now=s.at + SECOND)

    pairs = list(Message.objects.values_list("recipient_email", "template_key"))
    assert len(pairs) == len(set(pairs)) == 12


# --- What the public sees ----------------------------------------------------------------


@pytest.fixture
def frozen(monkeypatch):
    """``frozen(moment)``: every ``timezone.now()`` answers ``moment`` from now on."""

    def freeze(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


@pytest.fixture
def visitors(scheduled):
    s = scheduled
    image_of(s.e.pavilion)
    return {
        "anonymous": None,
        "applicant": s.orgs.pfeiffer[1][0],
        "juror": s.jurors[0].user,
        "organiser": s.organiser,
    }


def visit(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def addresses(s):
    winner = Decision.objects.get(submission=s.e.pavilion)
    return {
        "results": reverse("results:public", kwargs={"slug": s.award.slug}),
        "image": reverse("results:image", kwargs={"slug": s.award.slug, "pk": winner.pk}),
        "landing": reverse("awards:detail", kwargs={"slug": s.award.slug}),
    }


SECRETS = ("Studio Sven Pfeiffer", "Timber shell pavilion", "Red Arrow", "Folding cargo bike")


@pytest.mark.parametrize("who", ["anonymous", "applicant", "juror", "organiser"])
def test_one_second_before_the_moment_nothing_is_visible(client, scheduled, visitors, frozen, who):
    s = scheduled
    urls = addresses(s)
    frozen(s.at - SECOND)

    assert visit(client, visitors[who], urls["results"]).status_code == 404
    assert visit(client, visitors[who], urls["image"]).status_code == 404
    landing = visit(client, visitors[who], urls["landing"])
    assert landing.status_code == 200
    page = landing.content.decode()
    assert 'data-testid="results-link"' not in page
    assert urls["results"] not in page
    for secret in SECRETS:
        assert secret not in page
    home = visit(client, visitors[who], reverse("home")).content.decode()
    for secret in SECRETS:
        assert secret not in home


@pytest.mark.parametrize("who", ["anonymous", "applicant", "juror", "organiser"])
def test_one_second_after_the_moment_everything_is_visible(
    client, scheduled, visitors, frozen, who
):
    s = scheduled
    urls = addresses(s)
    frozen(s.at + SECOND)

    results = visit(client, visitors[who], urls["results"])
    assert results.status_code == 200
    page = results.content.decode()
    for secret in SECRETS:
        assert secret in page
    image = visit(client, visitors[who], urls["image"])
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content) == jpeg_bytes()
    landing = visit(client, visitors[who], urls["landing"]).content.decode()
    assert 'data-testid="results-link"' in landing
    assert f'href="{urls["results"]}"' in landing


def test_the_page_stays_visible_after_the_task_has_run(client, scheduled, visitors, frozen):
    s = scheduled
    urls = addresses(s)
    frozen(s.at + SECOND)
    assert results_services.results_publish(award_id=s.award.pk) is True
    assert reload(s.award).results_published_at == s.at + SECOND

    frozen(s.at + dt.timedelta(days=1))
    page = visit(client, None, urls["results"])

    assert page.status_code == 200
    assert "Studio Sven Pfeiffer" in page.content.decode()


def test_a_cancelled_publication_shows_nothing_at_the_old_moment(client, scheduled, frozen):
    s = scheduled
    urls = addresses(s)
    results_services.publication_cancel(award=s.award, actor=s.organiser)
    frozen(s.at + SECOND)

    assert visit(client, None, urls["results"]).status_code == 404
    assert visit(client, None, urls["image"]).status_code == 404
