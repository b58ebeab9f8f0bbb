"""The edition overview (``/manage/<slug>/``, awards.cockpit with the panels of the entries,
the jury, the results and the messages): figures at a glance on a hand-built edition, next
steps that come and go with its state, who may see it, both languages, the latest changes in
words with links, and a number of queries that does not grow with the edition."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape

from awards import cockpit, services
from awards.models import Award
from jury.cockpit import jury_panel
from jury.models import Assignment, Review, RoundEntry
from notifications.cockpit import notifications_panel
from results.cockpit import results_panel
from submissions.cockpit import submissions_panel
from submissions.models import Attachment, Submission
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    CriterionFactory,
    JurorFactory,
    RoundFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.helpers import login_url, prefer_english, text
from tests.notifications.helpers import make_message

# English unless a test signs in someone who reads German.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOW = timezone.now()


def overview_url(award: Award) -> str:
    return reverse("awards:manage", kwargs={"slug": award.slug})


def list_url(award: Award, query: str = "") -> str:
    url = reverse("submissions_manage:list", kwargs={"slug": award.slug})
    return f"{url}?{query}" if query else url


def figures(panel: cockpit.Panel) -> dict[str, str]:
    return {figure.key: figure.value for figure in panel.figures}


def steps(panel: cockpit.Panel) -> dict[str, str]:
    return {step.key: step.text for step in panel.steps}


def visible_text(html: str) -> str:
    """The page as a reader sees it: tags (and their attributes) removed, spaces joined."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    words = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    return re.sub(r" ([:,.;)])", r"\1", words)


def entries(award, category, status: str, count: int, **fields) -> list[Submission]:
    return [
        SubmissionFactory(award=award, category=category, status=status, **fields)
        for _ in range(count)
    ]


@pytest.fixture
def award():
    """An edition open for submissions (Europe/Berlin) whose deadline is 3 days away, with
    two categories, a criterion and a round."""
    award = AwardFactory(
        status="open",
        timezone="Europe/Berlin",
        submissions_open_at=NOW - dt.timedelta(days=30),
        submissions_close_at=NOW + dt.timedelta(days=3, hours=2),
        jury_deadline_at=NOW + dt.timedelta(days=40),
        announcement_at=NOW + dt.timedelta(days=60),
    )
    award.mobility = CategoryFactory(award=award, code="MOB", name_en="Mobility", position=1)
    award.energy = CategoryFactory(award=award, code="ENE", name_en="Energy", position=2)
    CriterionFactory(award=award, name_en="Degree of innovation")
    RoundFactory(award=award, number=1)
    return award


@pytest.fixture
def organiser(award):
    return prefer_english(AwardRoleFactory(award=award, role="organiser").user)


def fresh(award: Award) -> Award:
    """The award as the overview reads it (structure prefetched)."""
    from awards.selectors import award_with_structure

    fresh = award_with_structure(Award.objects.filter(pk=award.pk)).get()
    return fresh


# --- Figures at a glance ------------------------------------------------------------------


def test_entries_by_status_and_category_with_drafts(award):
    entries(award, award.mobility, "draft", 2)
    entries(award, award.mobility, "submitted", 3)
    entries(award, award.mobility, "eligible", 1)
    entries(award, award.energy, "ineligible", 1)
    entries(award, award.energy, "withdrawn", 1)
    entries(award, award.energy, "submitted", 1)
    SubmissionFactory(status="submitted")  # another award's entry counts nowhere

    panel = submissions_panel(fresh(award), now=NOW)

    assert figures(panel) == {"entries": "6", "drafts-due": "2", "to-check": "4", "eligible": "1"}
    table = {
        row["category"].code: {cell["status"]: cell["count"] for cell in row["cells"]}
        for row in panel.context["table"]
    }
    assert table == {
        "MOB": {"draft": 2, "submitted": 3, "eligible": 1, "ineligible": 0, "withdrawn": 0},
        "ENE": {"draft": 0, "submitted": 1, "eligible": 0, "ineligible": 1, "withdrawn": 1},
    }
    assert [row["applied"] for row in panel.context["table"]] == [4, 2]
    assert panel.context["totals"] == [2, 4, 1, 1, 1]
    cell = panel.context["table"][0]["cells"][1]
    assert cell["url"] == list_url(award, f"category={award.mobility.pk}&status=submitted")


def test_the_page_shows_the_table_with_links_to_the_filtered_list(client, award, organiser):
    entries(award, award.energy, "submitted", 2)
    client.force_login(organiser)

    html = text(client.get(overview_url(award)))

    row = re.search(r'<tr data-category="ENE">.*?</tr>', html, re.S).group(0)
    filtered = escape(list_url(award, f"category={award.energy.pk}&status=submitted"))
    assert f'<a href="{filtered}">2</a>' in row
    assert re.search(r'data-figure="to-check" data-tone="warning">.*?data-value>2</a>', html, re.S)


def test_drafts_close_to_their_deadline_count_individual_deadlines(award):
    entries(award, award.mobility, "draft", 2)
    entries(award, award.mobility, "draft", 1, deadline_extended_until=NOW + dt.timedelta(days=20))
    entries(award, award.energy, "submitted", 1)

    panel = submissions_panel(fresh(award), now=NOW)

    assert figures(panel)["drafts-due"] == "2"
    assert steps(panel)["drafts-due"] == (
        "2 drafts have not been submitted, and their deadline ends within 7 days."
    )
    # Ten days before the deadline nothing is close yet.
    later = submissions_panel(fresh(award), now=NOW - dt.timedelta(days=7))
    assert figures(later)["drafts-due"] == "0"
    assert "drafts-due" not in steps(later)


def test_the_deadline_is_counted_down_in_the_awards_time_zone(award):
    panel = cockpit.edition_panel(fresh(award), now=NOW)

    deadline = next(f for f in panel.figures if f.key == "submissions_close_at")
    assert deadline.value == "in 3 days"
    local = timezone.localtime(award.submissions_close_at, award.tzinfo)
    assert deadline.note == f"{formats.date_format(local, 'DATETIME_FORMAT')} (Europe/Berlin)"
    assert deadline.tone == "warning"
    assert cockpit.countdown(NOW - dt.timedelta(hours=5), NOW) == "5 hours ago"
    assert cockpit.countdown(NOW + dt.timedelta(minutes=30), NOW) == "in 30 minutes"
    assert cockpit.countdown(NOW + dt.timedelta(hours=30), NOW) == "in 30 hours"


# --- Next steps ---------------------------------------------------------------------------


def test_the_eligibility_step_comes_and_goes(award):
    to_check = entries(award, award.mobility, "submitted", 3)
    award.status = "closed"
    award.save(update_fields=["status"])

    panel = submissions_panel(fresh(award), now=NOW)
    assert steps(panel) == {"eligibility": "3 entries await the eligibility check."}
    assert panel.steps[0].url == list_url(award, "status=submitted")
    assert panel.steps[0].urgency == cockpit.Urgency.NEXT

    Submission.objects.filter(pk__in=[s.pk for s in to_check]).update(status="eligible")
    panel = submissions_panel(fresh(award), now=NOW)
    assert steps(panel) == {"start-judging": "Every entry has been checked: start the judging."}
    assert panel.steps[0].url == overview_url(award) + "#status"


def test_a_draft_edition_asks_for_what_opening_needs(award):
    Award.objects.filter(pk=award.pk).update(status="draft", submissions_open_at=None)
    award.categories.all().delete()

    panel = cockpit.edition_panel(fresh(award), now=NOW)

    assert [step.key for step in panel.steps] == ["set-dates", "add-category"]
    assert panel.steps[1].url == reverse("awards:category_create", kwargs={"slug": award.slug})


def test_an_open_edition_past_its_deadline_is_told_to_close(award):
    Award.objects.filter(pk=award.pk).update(submissions_close_at=NOW - dt.timedelta(hours=1))
    panel = cockpit.edition_panel(fresh(award), now=NOW)
    assert steps(panel) == {"close": "The submission deadline has passed: close the submissions."}
    assert panel.steps[0].urgency == cockpit.Urgency.NOW


@pytest.fixture
def jury_award():
    """An edition in judging with two categories, round 1 open (deadline 3 days away), and
    per category two jurors with assigned entries; jurors[0] has submitted everything."""
    award = AwardFactory(
        status="judging",
        submissions_open_at=NOW - dt.timedelta(days=60),
        submissions_close_at=NOW - dt.timedelta(days=30),
        jury_deadline_at=NOW + dt.timedelta(days=3, hours=1),
        announcement_at=NOW + dt.timedelta(days=30),
    )
    mobility = CategoryFactory(award=award, code="MOB", name_en="Mobility", position=1)
    energy = CategoryFactory(award=award, code="ENE", name_en="Energy", position=2)
    round_ = RoundFactory(award=award, number=1, status="open", opened_at=NOW)
    RoundFactory(award=award, number=2, kind="final")
    jurors = [
        JurorFactory(award=award, categories=[mobility], user=UserFactory(full_name="Anna A")),
        JurorFactory(award=award, categories=[mobility], user=UserFactory(full_name="Bert B")),
        JurorFactory(award=award, categories=[energy], user=UserFactory(full_name="Cleo C")),
    ]
    works = {mobility: entries(award, mobility, "eligible", 2), energy: []}
    works[energy] = entries(award, energy, "eligible", 1)
    for submission in works[mobility] + works[energy]:
        RoundEntry.objects.create(round=round_, submission=submission)
    for juror, category in ((jurors[0], mobility), (jurors[1], mobility), (jurors[2], energy)):
        for submission in works[category]:
            assignment = Assignment.objects.create(round=round_, juror=juror, submission=submission)
            if juror is jurors[0]:
                Review.objects.create(assignment=assignment, status="submitted", submitted_at=NOW)
            elif juror is jurors[1]:
                Review.objects.create(assignment=assignment, status="draft")
    return SimpleNamespace(award=award, round=round_, jurors=jurors)


def test_jury_progress_per_round_and_category(jury_award):
    panel = jury_panel(fresh(jury_award.award), now=NOW)

    (progress,) = panel.context["rounds"]
    assert [
        (w.label, w.expected, w.submitted, w.drafts, w.missing) for w in progress.categories
    ] == [
        ("Mobility", 4, 2, 2, 2),
        ("Energy", 1, 0, 0, 1),
    ]
    assert (progress.total.expected, progress.total.submitted) == (5, 2)
    assert figures(panel)["reviews"] == "2 / 5"
    assert figures(panel)["late"] == "0"
    assert steps(panel) == {
        "round-1-missing": "Round 1 ends in 3 days; 3 reviews are still missing."
    }
    assert panel.steps[0].urgency == cockpit.Urgency.SOON
    assert panel.steps[0].url == reverse(
        "jury_manage:progress", kwargs={"slug": jury_award.award.slug, "number": 1}
    )


def test_late_jurors_are_named_and_an_extension_is_respected(jury_award):
    Award.objects.filter(pk=jury_award.award.pk).update(jury_deadline_at=NOW - dt.timedelta(days=2))
    cleo = jury_award.jurors[2]
    cleo.deadline_extended_until = NOW + dt.timedelta(days=5)
    cleo.save(update_fields=["deadline_extended_until"])

    panel = jury_panel(fresh(jury_award.award), now=NOW)

    (progress,) = panel.context["rounds"]
    assert [(late.name, late.open) for late in progress.late] == [("Bert B", 2)]
    assert figures(panel)["late"] == "1"
    assert steps(panel)["round-1-missing"] == (
        "The deadline of round 1 passed 2 days ago; 3 reviews are still missing. 1 juror is late."
    )
    assert panel.steps[0].urgency == cockpit.Urgency.NOW


def test_when_every_review_is_in_the_step_is_to_close_the_round(jury_award):
    Review.objects.filter(assignment__round=jury_award.round).update(status="submitted")
    energy_assignment = Assignment.objects.get(juror=jury_award.jurors[2])
    Review.objects.create(assignment=energy_assignment, status="submitted")

    panel = jury_panel(fresh(jury_award.award), now=NOW)

    assert steps(panel) == {"close-1": "Every review of round 1 is in: close the round."}
    assert figures(panel)["reviews"] == "5 / 5"


def test_a_closed_round_asks_for_the_shortlist_then_for_opening_the_next(jury_award):
    Review.objects.filter(assignment__round=jury_award.round).update(status="submitted")
    jury_award.round.status = "closed"
    jury_award.round.save(update_fields=["status"])

    assert steps(results_panel(fresh(jury_award.award), now=NOW)) == {
        "shortlist-1": "Round 1 is closed: take the shortlist for round 2."
    }
    assert "open-2" not in steps(jury_panel(fresh(jury_award.award), now=NOW))

    final = jury_award.award.rounds.get(number=2)
    RoundEntry.objects.create(
        round=final, submission=Submission.objects.filter(award=jury_award.award).first()
    )
    assert "shortlist-1" not in steps(results_panel(fresh(jury_award.award), now=NOW))
    assert steps(jury_panel(fresh(jury_award.award), now=NOW))["open-2"] == (
        "Open round 2 (Scoring round) for the jury."
    )


def test_failed_mails_come_and_go(award):
    failed = [make_message(award, status="failed") for _ in range(3)]
    make_message(award, status="sent")
    make_message(None, status="failed")  # not this award's

    panel = notifications_panel(fresh(award), now=NOW)
    assert figures(panel) == {"mails-sent": "1", "mails-queued": "0", "mails-failed": "3"}
    assert steps(panel) == {"mails-failed": "3 mails could not be delivered."}
    assert panel.steps[0].url == (
        reverse("notifications:outbox", kwargs={"slug": award.slug}) + "?status=failed"
    )

    for message in failed:
        message.status = "sent"
        message.save(update_fields=["status"])
    assert steps(notifications_panel(fresh(award), now=NOW)) == {}


def test_a_decided_edition_asks_for_the_publication(award):
    Award.objects.filter(pk=award.pk).update(status="decided")
    assert steps(results_panel(fresh(award), now=NOW)) == {
        "schedule": "Every category is decided: schedule the publication of the results."
    }
    Award.objects.filter(pk=award.pk).update(results_publish_at=NOW + dt.timedelta(days=2))
    panel = results_panel(fresh(award), now=NOW)
    assert steps(panel) == {}
    assert figures(panel)["publication"] == "in 2 days"


def test_the_page_lists_the_steps_most_urgent_first(client, award, organiser):
    entries(award, award.mobility, "submitted", 12)
    entries(award, award.mobility, "draft", 1)
    make_message(award, status="failed")
    client.force_login(organiser)

    response = client.get(overview_url(award))

    html = text(response)
    assert re.findall(r'data-step="([\w-]+)"', html) == [
        "mails-failed",  # something failed: now
        "drafts-due",  # a deadline is near: soon
        "eligibility",  # while entries come in, checking can start: later, before…
        "invite",  # …a jury yet to be invited (panels in their order within an urgency)
    ]
    assert "12 entries await the eligibility check." in html
    assert "1 mail could not be delivered." in html
    assert f'href="{escape(list_url(award, "status=submitted"))}"' in html


# --- Who may see it -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, award):
    response = client.get(overview_url(award))
    assert response.status_code == 302
    assert response.url == login_url(overview_url(award))


@pytest.mark.parametrize(
    "kind", ["no_role", "other_organiser", "juror", "jury_chair", "unverified_organiser"]
)
def test_everyone_but_its_organisers_gets_404(client, award, kind):
    user = UserFactory(preferred_language="en")
    if kind == "other_organiser":
        AwardRoleFactory(award=AwardFactory(), user=user)
    elif kind in ("juror", "jury_chair"):
        JurorFactory(award=award, user=user, role="juror" if kind == "juror" else "jury_chair")
    elif kind == "unverified_organiser":
        user.email_verified_at = None
        user.save(update_fields=["email_verified_at"])
        AwardRoleFactory(award=award, user=user)
    client.force_login(user)

    assert client.get(overview_url(award)).status_code == 404


def test_organisers_and_superusers_see_it(client, award, organiser, superuser):
    for user in (organiser, superuser):
        client.force_login(user)
        assert client.get(overview_url(award)).status_code == 200


# --- The latest changes in words ------------------------------------------------------------


def test_the_log_shows_words_and_links_not_codes(client, award, organiser):
    entry = SubmissionFactory(award=award, category=award.mobility, reference="LIA-2030-MOB-0007")
    services.audit_log(
        award=award,
        actor=entry.created_by,
        action="submission.submitted",
        target=entry,
        data={"from": "draft", "to": "submitted", "reference": entry.reference},
    )
    attachment = Attachment.objects.create(
        submission=entry,
        kind="document",
        file="x.pdf",
        original_name="Datasheet.pdf",
        content_type="application/pdf",
        size=2048,
        sha256="0" * 64,
    )
    services.audit_log(
        award=award,
        actor=entry.created_by,
        action="attachment.added",
        target=attachment,
        data={"submission": entry.pk, "name": "Datasheet.pdf", "size": 2048},
    )
    client.force_login(organiser)

    html = text(client.get(overview_url(award)))

    log = re.search(r'data-testid="audit-log">.*?</ul>', html, re.S).group(0)
    words = visible_text(log)
    assert "submission.submitted" not in words and "attachment.added" not in words
    assert "Entry submitted: LIA-2030-MOB-0007 · Carbon frame" in words
    assert "File added: Datasheet.pdf (LIA-2030-MOB-0007)" in words
    detail = reverse("submissions_manage:detail", kwargs={"slug": award.slug, "pk": entry.pk})
    assert log.count(f'href="{detail}"') == 2


def test_the_audit_page_names_keys_entries_and_criteria(client, award, organiser):
    first = SubmissionFactory(award=award, category=award.mobility, reference="LIA-2030-MOB-0001")
    second = SubmissionFactory(award=award, category=award.mobility, reference="LIA-2030-MOB-0002")
    criterion = award.criteria.get()
    services.audit_log(
        award=award,
        actor=organiser,
        action="decision.confirmed",
        target=award.mobility,
        data={
            "before": None,
            "after": {"places": [second.pk, first.pk], "mentions": []},
            "references": {str(first.pk): first.reference, str(second.pk): second.reference},
            "departures": [1],
            "justification": "The jury preferred the second.",
            "round": 1,
            "missing_reviews": 2,
            "incomplete_chosen": [first.pk],
        },
    )
    services.audit_log(
        award=award,
        actor=organiser,
        action="review.submitted",
        target=award,
        data={"submission": first.reference, "round": 1, "scores": {str(criterion.pk): 9}},
    )
    client.force_login(organiser)

    html = text(client.get(reverse("awards:audit", kwargs={"slug": award.slug})))

    lines = dict(re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S))
    assert lines["Change"] == (
        "– → Places: LIA-2030-MOB-0002, LIA-2030-MOB-0001; Special mentions: –"
    )
    assert lines["Places that depart from the ranking"] == "1"
    assert lines["Missing reviews"] == "2"
    assert lines["Chosen entries with fewer reviews than required"] == "LIA-2030-MOB-0001"
    assert lines["Scores"] == "Degree of innovation: 9"
    for raw in ("before", "after", "places", "departures", "missing_reviews", "references"):
        assert f">{raw}</dt>" not in html


# --- Both languages -------------------------------------------------------------------------


def test_the_overview_in_german(client, award):
    organiser = AwardRoleFactory(award=award, user=UserFactory(preferred_language="de")).user
    entries(award, award.mobility, "submitted", 3)
    entries(award, award.mobility, "draft", 1)
    make_message(award, status="failed")
    services.award_update(award=award, actor=organiser, description_de="Neu")
    client.force_login(organiser)

    html = text(client.get(overview_url(award)))

    words = visible_text(html)
    assert "Nächste Schritte" in words
    assert "3 Einreichungen warten auf die Zulassungsprüfung." in words
    assert "1 Nachricht konnte nicht zugestellt werden." in words
    assert "in 3 Tagen" in words
    assert "Einreichungsfrist" in words
    assert "Einstellungen geändert" in words
    for english in ("Next steps", "await the eligibility check", "could not be delivered"):
        assert english not in words


# --- Queries ----------------------------------------------------------------------------------


def edition(slug: str, *, size: int, jurors: int) -> tuple[Award, object]:
    """An edition in judging: two categories, two criteria, round 1 open, ``size`` entries
    (all statuses), ``jurors`` jurors with assignments and reviews, failed and sent mails,
    and a fixed set of log entries; and its organiser."""
    award = AwardFactory(
        slug=slug,
        status="judging",
        submissions_open_at=NOW - dt.timedelta(days=60),
        submissions_close_at=NOW - dt.timedelta(days=30),
        jury_deadline_at=NOW + dt.timedelta(days=2),
        announcement_at=NOW + dt.timedelta(days=30),
    )
    categories = [CategoryFactory(award=award) for _ in range(2)]
    for _ in range(2):
        CriterionFactory(award=award)
    round_ = RoundFactory(award=award, number=1, status="open", opened_at=NOW)
    statuses = ["eligible", "eligible", "submitted", "draft", "ineligible", "withdrawn"]
    subs = [
        SubmissionFactory(
            award=award, category=categories[n % 2], status=statuses[n % len(statuses)]
        )
        for n in range(size)
    ]
    seats = [JurorFactory(award=award, categories=categories) for _ in range(jurors)]
    for n, submission in enumerate(s for s in subs if s.status == "eligible"):
        RoundEntry.objects.create(round=round_, submission=submission)
        assignment = Assignment.objects.create(
            round=round_, juror=seats[n % jurors], submission=submission
        )
        if n % 3 == 0:
            Review.objects.create(assignment=assignment, status="submitted")
    for n in range(size // 5):
        make_message(award, status="failed" if n % 2 else "sent")
    organiser = prefer_english(AwardRoleFactory(award=award).user)
    services.award_update(award=award, actor=organiser, description_en="Changed")
    services.audit_log(
        award=award, actor=None, action="submission.submitted", target=subs[0], data={}
    )
    return award, organiser


def _queries(client, award: Award, organiser) -> int:
    client.force_login(organiser)
    client.get(overview_url(award))  # warm up: session, caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(overview_url(award))
    assert response.status_code == 200
    return len(queries)


def test_the_overview_runs_the_same_queries_with_5_and_60_entries(client):
    small = _queries(client, *edition("small-2030", size=5, jurors=2))
    large = _queries(client, *edition("large-2030", size=60, jurors=12))

    assert small == large
