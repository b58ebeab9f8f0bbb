"""What the award endpoints answer: the award and its structure, entries with their answers
and files (and the short-lived download link), the eligibility decision through the same
service as the page, the jury's work, a round's ranking, decisions and the outbox; a
fixed number of queries whatever the page size."""

from __future__ import annotations

import base64
import hashlib
import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from awards.models import AuditEntry
from jury.models import Assignment, Review, Score
from notifications.models import Message
from submissions.models import Attachment, Submission
from tests.api.test_award_access import base, client_for, make_token, world
from tests.factories import (
    CriterionFactory,
    JurorFactory,
    MembershipFactory,
    standard_answers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def test_it_gives_the_award(w):
    data = client_for(make_token(w.organiser, w.award)).get(base(w.award)).json()
    assert data["name"] == w.award.name
    assert data["edition"] == w.award.edition
    assert data["status"] == "judging"
    assert data["timezone"] == "Europe/Berlin"
    assert data["role"] == "organiser"
    assert set(data) >= {"submissions_open_at", "submissions_close_at", "announcement_at"}
    juror = client_for(make_token(w.juror.user, w.award)).get(base(w.award)).json()
    assert juror["role"] == "juror"


def test_it_gives_categories_criteria_and_rounds(w):
    client = client_for(make_token(w.organiser, w.award))
    assert [c["code"] for c in client.get(base(w.award) + "categories/").json()] == ["MOB"]
    assert len(client.get(base(w.award) + "criteria/").json()) == 1
    (round_,) = client.get(base(w.award) + "rounds/").json()
    assert (round_["number"], round_["status"]) == (1, "open")


def test_it_filters_entries_like_the_organisers_list(w):
    client = client_for(make_token(w.organiser, w.award))
    url = base(w.award) + "entries/"

    def ids(**params):
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(q="flax") == {w.entry_a.pk}
    assert ids(q="Beta Composites") == {w.entry_b.pk}
    assert ids(category="MOB") == {w.entry_a.pk, w.entry_b.pk}
    assert ids(category="NONE") == set()
    w.entry_b.status = "eligible"
    w.entry_b.save()
    assert ids(status="eligible") == {w.entry_b.pk}
    response = client.get(url, {"status": "won"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_entries_come_in_pages_by_cursor(w):
    for n in range(5):
        Submission.objects.create(
            award=w.award,
            category=w.category,
            organisation=w.company_a,
            created_by=w.applicant_a,
            title=f"Extra {n}",
        )
    client = client_for(make_token(w.organiser, w.award))
    seen, url = [], base(w.award) + "entries/?page_size=3"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 3
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(Submission.objects.filter(award=w.award).values_list("pk", flat=True))
    # At most 100 a page.
    assert len(client.get(base(w.award) + "entries/?page_size=1000").json()["results"]) == 7
    # A cursor altered by hand is refused with a message, not an error of the server.
    forged = base64.b64encode(b"p=abc").decode()
    answer = client.get(base(w.award) + f"entries/?cursor={forged}")
    assert answer.status_code == 404
    assert "cursor" in answer.json()["detail"].lower()


def queries_of(client, url: str) -> int:
    client.get(url)  # the token's last use is recorded once a minute: not in the count
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ["organiser", "juror", "applicant"])
def test_a_page_of_entries_costs_the_same_queries_whatever_its_size(w, role):
    entries = Submission.objects.bulk_create(
        Submission(
            award=w.award,
            category=w.category,
            organisation=w.company_a,
            created_by=w.applicant_a,
            title=f"Entry {n}",
            status="submitted",
        )
        for n in range(120)
    )
    Assignment.objects.bulk_create(
        Assignment(round=w.round, juror=w.juror, submission=entry) for entry in entries
    )
    user = {"organiser": w.organiser, "juror": w.juror.user, "applicant": w.applicant_a}[role]
    client = client_for(make_token(user, w.award))
    url = base(w.award) + "entries/?page_size="
    small, large = queries_of(client, url + "5"), queries_of(client, url + "100")
    assert small == large
    assert len(client.get(url + "100").json()["results"]) == 100


@pytest.mark.parametrize(
    "path", ["reviews/?page_size=", "assignments/?page_size=", "outbox/?page_size="]
)
def test_other_lists_cost_the_same_queries_whatever_the_page_size(w, path):
    for _ in range(12):
        MembershipFactory(organisation=w.company_a)
    from submissions import services

    services.eligibility_decide(submission=w.entry_a, actor=w.organiser, eligible=True)
    criterion = w.award.criteria.get()
    seats = [w.unassigned, *(JurorFactory(award=w.award) for _ in range(8))]
    for seat in seats:
        assignment = Assignment.objects.create(round=w.round, juror=seat, submission=w.entry_b)
        review = Review.objects.create(
            assignment=assignment, status="submitted", submitted_at=timezone.now()
        )
        Score.objects.create(review=review, criterion=criterion, value=7)
    client = client_for(make_token(w.organiser, w.award))
    url = base(w.award) + path
    assert queries_of(client, url + "2") == queries_of(client, url + "100")


def attach(submission, question=None, content: bytes = b"%PDF-1.4 flax frame") -> Attachment:
    attachment = Attachment(
        submission=submission,
        question=question,
        kind="document",
        original_name="Datenblatt.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    attachment.file.save("datenblatt.pdf", ContentFile(content), save=False)
    attachment.save()
    return attachment


def test_an_entry_comes_with_its_answers_and_files(w):
    w.entry_a.answers = standard_answers(w.award)
    w.entry_a.save()
    slot = w.award.questions.get(key="documents")
    attachment = attach(w.entry_a, slot)
    data = (
        client_for(make_token(w.organiser, w.award))
        .get(base(w.award) + f"entries/{w.entry_a.pk}/")
        .json()
    )
    assert data["title"] == "Flax bicycle frame"
    assert data["organisation"]["name"] == "Alpha Leichtbau GmbH"
    answers = {item["key"]: item for section in data["sections"] for item in section["items"]}
    assert answers["description"]["answer"] == "Woven flax and bio-resin, pressed in one piece."
    assert answers["documents"]["files"] == [attachment.pk]
    (file,) = data["attachments"]
    assert file["name"] == "Datenblatt.pdf"
    assert file["size"] == attachment.size
    assert file["content_type"] == "application/pdf"
    assert file["sha256"] == attachment.sha256
    assert file["download_url"].startswith("http://testserver/api/v1/awards/")


def test_an_entry_costs_a_fixed_number_of_queries(w):
    for _ in range(2):
        attach(w.entry_a)
    client = client_for(make_token(w.organiser, w.award))
    url = base(w.award) + f"entries/{w.entry_a.pk}/"
    few = queries_of(client, url)
    for _ in range(5):
        attach(w.entry_a)
    assert queries_of(client, url) == few


def download_url(client, w) -> str:
    data = client.get(base(w.award) + f"entries/{w.entry_a.pk}/").json()
    return data["attachments"][0]["download_url"]


def test_the_download_link_serves_the_file_with_the_same_token(w):
    attach(w.entry_a, content=b"%PDF-1.4 the datasheet")
    token = make_token(w.juror.user, w.award)
    url = download_url(client_for(token), w)
    response = client_for(token).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 the datasheet"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    # Not without the token, nor with another one (even the organiser's).
    assert client_for(None).get(url).status_code == 401
    assert client_for(make_token(w.organiser, w.award)).get(url).status_code == 404
    # A forged or altered link is nothing.
    assert client_for(token).get(url.replace("/files/", "/files/x")).status_code == 404


def test_the_download_link_lasts_five_minutes(w, monkeypatch):
    attach(w.entry_a)
    token = make_token(w.organiser, w.award)
    url = download_url(client_for(token), w)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 290)
    assert client_for(token).get(url).status_code == 200
    monkeypatch.setattr(time, "time", lambda: real() + 301)
    assert client_for(token).get(url).status_code == 404


def test_the_download_link_ends_with_the_token_or_the_right_to_see(w):
    attach(w.entry_a)
    token = make_token(w.juror.user, w.award)
    url = download_url(client_for(token), w)
    from jury.models import Conflict

    conflict = Conflict.objects.create(juror=w.juror, submission=w.entry_a, status="confirmed")
    assert client_for(token).get(url).status_code == 404
    conflict.delete()
    assert client_for(token).get(url).status_code == 200
    from api.models import ApiToken

    ApiToken.objects.filter(user=w.juror.user).update(revoked_at=timezone.now())
    assert client_for(token).get(url).status_code == 401


def test_eligibility_goes_through_the_service_as_on_the_page(w):
    client = client_for(make_token(w.organiser, w.award, "write"))
    url = base(w.award) + f"entries/{w.entry_a.pk}/eligibility/"
    response = client.post(url, {"eligible": False, "reason": "Outside the region."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ineligible"
    assert response.json()["eligibility_reason"] == "Outside the region."
    w.entry_a.refresh_from_db()
    assert (w.entry_a.status, w.entry_a.eligibility_reason) == ("ineligible", "Outside the region.")
    entry = AuditEntry.objects.get(action="submission.eligibility", object_id=str(w.entry_a.pk))
    assert entry.actor == w.organiser
    mail = Message.objects.get(template_key="submission.eligibility")
    assert mail.recipient_email == w.applicant_a.email
    assert mail.award == w.award


def test_eligibility_needs_a_reason_to_refuse(w):
    client = client_for(make_token(w.organiser, w.award, "write"))
    url = base(w.award) + f"entries/{w.entry_a.pk}/eligibility/"
    response = client.post(url, {"eligible": False}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reason": ["Say why the entry is not eligible."]}
    response = client.post(url, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"eligible": ["This field is required."]}
    w.entry_a.refresh_from_db()
    assert w.entry_a.status == "submitted"


def test_eligibility_refuses_a_draft(w):
    draft = Submission.objects.create(
        award=w.award,
        category=w.category,
        organisation=w.company_a,
        created_by=w.applicant_a,
        title="Draft",
    )
    client = client_for(make_token(w.organiser, w.award, "write"))
    response = client.post(
        base(w.award) + f"entries/{draft.pk}/eligibility/", {"eligible": True}, format="json"
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_eligibility_refuses_mass_assignment(w):
    client = client_for(make_token(w.organiser, w.award, "write"))
    url = base(w.award) + f"entries/{w.entry_a.pk}/eligibility/"
    before = Submission.objects.values().get(pk=w.entry_a.pk)
    attempt = {
        "eligible": True,
        "status": "withdrawn",
        "award": w.other_award.pk,
        "reference": "HACKED-0001",
        "organisation": w.entry_b.organisation_id,
        "title": "Changed",
    }
    response = client.post(url, attempt, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"status", "award", "reference", "organisation", "title"}
    assert response.json()["status"] == ["Unknown field: it cannot be set here."]
    assert Submission.objects.values().get(pk=w.entry_a.pk) == before
    assert not AuditEntry.objects.filter(action="submission.eligibility").exists()
    assert not Message.objects.exists()


def test_eligibility_messages_in_german(w):
    w.organiser.preferred_language = "de"
    w.organiser.save()
    client = client_for(make_token(w.organiser, w.award, "write"))
    url = base(w.award) + f"entries/{w.entry_a.pk}/eligibility/"
    response = client.post(url, {}, format="json")
    assert response.json() == {"eligible": ["Dieses Feld ist zwingend erforderlich."]}
    response = client_for(make_token(w.organiser, w.award)).post(
        url, {"eligible": True}, format="json"
    )
    assert response.status_code == 403


def test_jurors_and_assignments(w):
    client = client_for(make_token(w.organiser, w.award))
    jurors = client.get(base(w.award) + "jurors/").json()
    assert {j["id"] for j in jurors} == {w.juror.pk, w.conflicted.pk, w.unassigned.pk}
    assert all(j["categories"] == ["MOB"] for j in jurors)
    rows = client.get(base(w.award) + "assignments/").json()["results"]
    assert {(r["juror"], r["entry"], r["round"]) for r in rows} == {
        (w.juror.pk, w.entry_a.pk, 1),
        (w.conflicted.pk, w.entry_a.pk, 1),
    }
    assert all(r["review_status"] == "not_started" for r in rows)
    assert client.get(base(w.award) + "assignments/?round=2").json()["results"] == []


def scored(w, seat, entry, value: int, *, status: str = "submitted") -> Review:
    assignment, _ = Assignment.objects.get_or_create(round=w.round, juror=seat, submission=entry)
    review = Review.objects.create(
        assignment=assignment,
        status=status,
        submitted_at=timezone.now() if status == "submitted" else None,
    )
    for criterion in w.award.criteria.all():
        Score.objects.create(review=review, criterion=criterion, value=value)
    return review


def test_reviews_for_organisers_and_for_a_juror(w):
    own = scored(w, w.juror, w.entry_a, 8)
    other = scored(w, w.unassigned, w.entry_b, 5)
    draft = scored(w, w.unassigned, w.entry_a, 3, status="draft")
    organiser = client_for(make_token(w.organiser, w.award))
    rows = organiser.get(base(w.award) + "reviews/").json()["results"]
    assert {r["id"] for r in rows} == {own.pk, other.pk}  # submitted ones only
    first = next(r for r in rows if r["id"] == own.pk)
    assert first["scores"][0]["value"] == 8
    assert (first["juror"], first["entry"], first["round"]) == (w.juror.pk, w.entry_a.pk, 1)
    juror = client_for(make_token(w.juror.user, w.award))
    assert [r["id"] for r in juror.get(base(w.award) + "reviews/").json()["results"]] == [own.pk]
    unassigned = client_for(make_token(w.unassigned.user, w.award))
    mine = {r["id"] for r in unassigned.get(base(w.award) + "reviews/").json()["results"]}
    assert mine == {other.pk, draft.pk}


def test_a_conflict_hides_the_jurors_own_review(w):
    review = scored(w, w.conflicted, w.entry_a, 6)
    client = client_for(make_token(w.conflicted.user, w.award))
    assert client.get(base(w.award) + "reviews/").json()["results"] == []
    organiser = client_for(make_token(w.organiser, w.award))
    assert [r["id"] for r in organiser.get(base(w.award) + "reviews/").json()["results"]] == [
        review.pk
    ]


def test_the_ranking_of_a_round(w):
    CriterionFactory(award=w.award, position=2)
    w.award.reviews_per_submission = 1
    w.award.save()
    scored(w, w.juror, w.entry_a, 9)
    scored(w, w.unassigned, w.entry_b, 4)
    client = client_for(make_token(w.organiser, w.award))
    data = client.get(base(w.award) + "rankings/1/").json()
    assert (data["round"], data["method"]) == (1, "scores")
    (block,) = data["categories"]
    assert block["category"]["code"] == "MOB"
    assert [(row["entry"], row["place"]) for row in block["rows"]] == [
        (w.entry_a.pk, 1),
        (w.entry_b.pk, 2),
    ]
    assert block["rows"][0]["title"] == "Flax bicycle frame"
    assert client.get(base(w.award) + "rankings/9/").status_code == 404


def test_decisions(w):
    from results.models import Decision, RankingSnapshot

    snapshot = RankingSnapshot.objects.create(
        award=w.award, category=w.category, round=w.round, digest="x" * 64
    )
    decision = Decision.objects.create(
        award=w.award,
        category=w.category,
        submission=w.entry_a,
        kind="place",
        place=1,
        justification="Lightest frame.",
        snapshot=snapshot,
        decided_by=w.organiser,
        decided_at=timezone.now(),
    )
    client = client_for(make_token(w.organiser, w.award))
    (row,) = client.get(base(w.award) + "decisions/").json()
    assert row["id"] == decision.pk
    assert (row["entry"], row["place"], row["kind"]) == (w.entry_a.pk, 1, "place")
    assert row["reference"] == w.entry_a.reference


def test_the_outbox_counts_and_lists_without_texts(w):
    from submissions import services

    services.eligibility_decide(submission=w.entry_a, actor=w.organiser, eligible=True)
    Message.objects.filter(award=w.award).update(status="sent", sent_at=timezone.now())
    services.eligibility_decide(
        submission=w.entry_b, actor=w.organiser, eligible=False, reason="Late."
    )
    client = client_for(make_token(w.organiser, w.award))
    data = client.get(base(w.award) + "outbox/").json()
    assert data["counts"] == {"pending": 1, "sending": 0, "sent": 1, "failed": 0}
    assert [m["recipient_email"] for m in data["results"]] == [
        w.applicant_b.email,
        w.applicant_a.email,
    ]
    assert set(data["results"][0]) == {
        "id",
        "status",
        "template_key",
        "recipient_email",
        "language",
        "attempts",
        "created_at",
        "sent_at",
    }
    sent = client.get(base(w.award) + "outbox/?status=sent").json()
    assert [m["recipient_email"] for m in sent["results"]] == [w.applicant_a.email]
    assert sent["counts"]["pending"] == 1
