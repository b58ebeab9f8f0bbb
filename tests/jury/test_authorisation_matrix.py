"""Every jury page × every kind of visitor → the status they get.

The visitors: anonymous; an applicant of the entry; a juror assigned to it; a juror of the
same category not assigned to it; a juror in conflict with its company (who even holds an
assignment made before the conflict); an organiser of another award; the organiser.
Strangers get 404, never 403 (an id reveals nothing); anonymous visitors are sent to log in.
"""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from jury.enums import ConflictSource, ConflictStatus
from jury.models import Assignment, Conflict, Review, RoundEntry, Score
from submissions.models import Attachment, Membership
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    JurorFactory,
    RoundFactory,
    UserFactory,
    judging_setup,
)
from tests.helpers import document_pages_stored

pytestmark = pytest.mark.django_db

VISITORS = (
    "anonymous",
    "applicant",
    "juror_assigned",
    "juror_unassigned",
    "juror_conflict",
    "organiser_other",
    "organiser",
)
LOGIN = "login"  # a redirect to the login page


def _one_page_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=20)
    pdf.cell(text="Floor plan")
    return bytes(pdf.output())


@pytest.fixture
def world():
    s = judging_setup(entries=2, jurors=3, k=1)
    entry = s.submissions[0]
    assigned, unassigned, conflicted = s.jurors
    a1 = Assignment.objects.create(round=s.round, juror=assigned, submission=entry)
    review = Review.objects.create(assignment=a1)
    Score.objects.create(review=review, criterion=s.criteria[0], value=7)
    # Assigned before the conflict was declared: the conflict wins everywhere.
    a2 = Assignment.objects.create(round=s.round, juror=conflicted, submission=entry)
    Conflict.objects.create(
        juror=conflicted,
        organisation=entry.organisation,
        status=ConflictStatus.CONFIRMED,
        source=ConflictSource.JUROR,
    )
    image = Attachment(
        submission=entry,
        kind="image",
        original_name="frame.jpg",
        content_type="image/jpeg",
        size=3,
        sha256="0" * 64,
    )
    image.file.save("frame.jpg", ContentFile(b"\xff\xd8\xff"), save=False)
    image.thumbnail.save("thumb.jpg", ContentFile(b"\xff\xd8\xff"), save=False)
    image.save()
    # A second entry, assigned to the same juror but not a finalist: its files are theirs only.
    other = s.submissions[1]
    Assignment.objects.create(round=s.round, juror=assigned, submission=other)
    document = Attachment(
        submission=other,
        kind="document",
        original_name="plan.pdf",
        content_type="application/pdf",
        size=8,
        sha256="1" * 64,
    )
    document.file.save("plan.pdf", ContentFile(_one_page_pdf()), save=False)
    document.save()
    document_pages_stored(document)  # its page, as the preview task leaves it
    final = RoundFactory(
        award=s.award,
        number=2,
        kind="final",
        method="ranking",
        status="closed",
        opened_at=timezone.now() - dt.timedelta(days=1),
        closed_at=timezone.now(),
    )
    RoundEntry.objects.create(round=final, submission=entry)
    other_award = AwardFactory(status="judging")
    users = {
        "anonymous": None,
        "applicant": Membership.objects.filter(organisation=entry.organisation).first().user,
        "juror_assigned": assigned.user,
        "juror_unassigned": unassigned.user,
        "juror_conflict": conflicted.user,
        "organiser_other": AwardRoleFactory(award=other_award, role="organiser").user,
        "organiser": s.organiser,
    }
    # A juror of another award reaches nothing here either (covered by organiser_other's
    # twin below).
    JurorFactory(award=other_award, user=UserFactory())
    return {
        "s": s,
        "entry": entry,
        "a1": a1,
        "a2": a2,
        "review": review,
        "image": image,
        "document": document,
        "final": final,
        "users": users,
        "assigned": assigned,
    }


JUROR_PAGES = {"juror_assigned": 200, "juror_unassigned": 200, "juror_conflict": 200}
ORGANISER_ONLY = {"organiser": 200}
ASSIGNED_ONLY = {"juror_assigned": 200}
CATEGORY_JURORS_NOT_CONFLICTED = {"juror_assigned": 200, "juror_unassigned": 200}


def jury(name, **args):
    """A juror page; ``args`` maps URL arguments to functions of the world."""
    return lambda w: reverse(
        f"jury:{name}",
        kwargs={"slug": w["s"].award.slug, **{k: f(w) for k, f in args.items()}},
    )


# The round page and its shortlist sit in the organisers' jury area, but are the results
# app's (they show what the ranking makes of the round).
RESULTS_PAGES = {"round", "shortlist"}


def manage(name, **args):
    namespace = "results_manage" if name in RESULTS_PAGES else "jury_manage"
    return lambda w: reverse(
        f"{namespace}:{name}",
        kwargs={"slug": w["s"].award.slug, **{k: f(w) for k, f in args.items()}},
    )


def a1(w):
    return w["a1"].pk


def a2(w):
    return w["a2"].pk


def image(w):
    return w["image"].pk


def entry(w):
    return w["entry"].pk


def one(w):
    return 1


def two(w):
    return 2


def category(w):
    return w["s"].category.pk


# (page, URL, who may: status); everyone else gets 404, anonymous visitors the login page.
MATRIX = [
    ("juror dashboard", jury("dashboard"), JUROR_PAGES),
    ("confidentiality", jury("confidentiality"), JUROR_PAGES),
    ("juror profile", jury("profile"), JUROR_PAGES),
    ("conflict declaration", jury("conflicts"), JUROR_PAGES),
    ("review of the assigned juror", jury("review", pk=a1), ASSIGNED_ONLY),
    ("review held by the conflicted juror", jury("review", pk=a2), {}),
    # The first entry is also a finalist: every juror of its category may see its files,
    # except the one in conflict. The second entry's files are its assigned juror's only.
    ("finalist's file", jury("attachment", pk=image), CATEGORY_JURORS_NOT_CONFLICTED),
    ("finalist's image preview", jury("thumbnail", pk=image), CATEGORY_JURORS_NOT_CONFLICTED),
    ("assigned entry's file", jury("attachment", pk=lambda w: w["document"].pk), ASSIGNED_ONLY),
    (
        "assigned entry's document, page 1",
        jury("document_page", pk=lambda w: w["document"].pk, page=one),
        ASSIGNED_ONLY,
    ),
    (
        "assigned entry's document, page 1 to zoom",
        jury("document_page_large", pk=lambda w: w["document"].pk, page=one),
        ASSIGNED_ONLY,
    ),
    # The conflicted juror has no finalist left to rank in the category.
    (
        "final-round ballot",
        jury("ballot", number=two, category=category),
        CATEGORY_JURORS_NOT_CONFLICTED,
    ),
    (
        "finalist with discussion",
        jury("finalist", number=two, pk=entry),
        CATEGORY_JURORS_NOT_CONFLICTED,
    ),
    ("jury and invitations", manage("jurors"), ORGANISER_ONLY),
    ("conflicts of the award", manage("conflicts"), ORGANISER_ONLY),
    ("juror seat", manage("juror_edit", pk=lambda w: w["assigned"].pk), ORGANISER_ONLY),
    ("round", manage("round", number=one), ORGANISER_ONLY),
    ("assignments", manage("assignments", number=one), ORGANISER_ONLY),
    ("progress", manage("progress", number=one), ORGANISER_ONLY),
    (
        "review as the organisers read it",
        manage("review_detail", pk=lambda w: w["review"].pk),
        ORGANISER_ONLY,
    ),
    ("jury discussion", manage("discussion", number=two, pk=entry), ORGANISER_ONLY),
]

CASES = [
    pytest.param(page, build, allowed, visitor, id=f"{page} × {visitor}")
    for page, build, allowed in MATRIX
    for visitor in VISITORS
]


@pytest.mark.parametrize(("page", "build", "allowed", "visitor"), CASES)
def test_jury_page_answers_each_visitor(client, world, page, build, allowed, visitor):
    user = world["users"][visitor]
    if user is not None:
        client.force_login(user)
    response = client.get(build(world))
    if visitor == "anonymous":
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("accounts:login")), page
    else:
        assert response.status_code == allowed.get(visitor, 404), page


@pytest.mark.parametrize("visitor", VISITORS)
def test_results_are_not_public_before_publication_for_anyone(client, world, visitor):
    user = world["users"][visitor]
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("results:public", kwargs={"slug": world["s"].award.slug}))
    assert response.status_code == 404


@pytest.mark.parametrize("visitor", VISITORS)
def test_only_the_assigned_juror_can_autosave_the_review(client, world, visitor):
    user = world["users"][visitor]
    if user is not None:
        client.force_login(user)
    url = reverse(
        "jury:review_autosave", kwargs={"slug": world["s"].award.slug, "pk": world["a1"].pk}
    )
    criterion = world["s"].criteria[0]
    response = client.post(url, {f"score_{criterion.pk}": "3", "version": "1"})
    expected = {"juror_assigned": 200, "anonymous": 302}.get(visitor, 404)
    assert response.status_code == expected
    stored = Score.objects.get(review=world["review"], criterion=criterion).value
    assert stored == (3 if visitor == "juror_assigned" else 7)
