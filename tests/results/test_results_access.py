"""Who may open the organisers' results pages (/manage/<slug>/results/…): each visitor on
each page, objects of another award, jurors even where the award shows them the ranking, the
links from the award page, and the pages of an award without rounds."""

import pytest
from django.conf import settings
from django.urls import reverse

from awards.models import Award
from results.models import Decision
from submissions.models import Membership, Submission
from tests.factories import AwardFactory, AwardRoleFactory, CategoryFactory, judging_setup
from tests.helpers import prefer_english, text
from tests.results.manage_helpers import category_url, decide, scored, url

pytestmark = pytest.mark.django_db

# --- Who may open the pages --------------------------------------------------------------


VISITORS = ("anonymous", "applicant", "juror", "chair", "organiser_other", "organiser")
CHAIR_PAGES = {"chair": 200, "organiser": 200}
ORGANISER_PAGES = {"organiser": 200}
# An empty form: a 400 with the errors for whoever may decide, 404 for everyone else.
CHAIR_FORMS = {"chair": 400, "organiser": 400}


@pytest.fixture
def matrix_world():
    s = scored()
    decide(s)
    other = judging_setup(entries=1, jurors=1)
    s.users = {
        "anonymous": None,
        "applicant": Membership.objects.filter(organisation=s.submissions[0].organisation)
        .first()
        .user,
        "juror": s.jurors[0].user,
        "chair": s.chair.user,
        "organiser_other": other.organiser,
        "organiser": s.organiser,
    }
    s.award.applicant_feedback = True  # its feedback pages exist
    s.award.save(update_fields=["applicant_feedback"])
    s.decision = Decision.objects.get(award=s.award, place=1)
    Submission.objects.filter(pk=s.decision.submission_id).update(consent_publication=True)
    return s


PAGES = [
    ("ranking", "get", lambda s: url(s.award, "overview"), CHAIR_PAGES),
    ("category", "get", lambda s: category_url(s.award, s.category), CHAIR_PAGES),
    (
        "explanation",
        "get",
        lambda s: url(s.award, "explanation", pk=s.submissions[1].pk),
        CHAIR_PAGES,
    ),
    (
        "decision",
        "post",
        lambda s: url(s.award, "decision_confirm", category=s.category.pk),
        CHAIR_FORMS,
    ),
    (
        "reopening",
        "post",
        lambda s: url(s.award, "decision_reopen", category=s.category.pk),
        CHAIR_FORMS,
    ),
    ("quality", "get", lambda s: url(s.award, "quality"), ORGANISER_PAGES),
    ("publication", "get", lambda s: url(s.award, "publication"), ORGANISER_PAGES),
    ("press CSV", "get", lambda s: url(s.award, "press_csv"), ORGANISER_PAGES),
    ("press XLSX", "get", lambda s: url(s.award, "press_xlsx"), ORGANISER_PAGES),
    (
        "share image",
        "get",
        lambda s: url(s.award, "press_image", pk=s.decision.pk),
        ORGANISER_PAGES,
    ),
    ("feedback", "get", lambda s: url(s.award, "feedback"), ORGANISER_PAGES),
    ("feedback release", "get", lambda s: url(s.award, "feedback_release"), ORGANISER_PAGES),
    ("edition report", "get", lambda s: url(s.award, "reports"), ORGANISER_PAGES),
    (
        "certificates",
        "get",
        lambda s: reverse("certificates_manage:list", kwargs={"slug": s.award.slug}),
        ORGANISER_PAGES,
    ),
    (
        "audit log",
        "get",
        lambda s: reverse("awards:audit", kwargs={"slug": s.award.slug}),
        ORGANISER_PAGES,
    ),
]


@pytest.mark.parametrize(
    ("page", "method", "build", "allowed", "visitor"),
    [
        pytest.param(page, method, build, allowed, visitor, id=f"{page} × {visitor}")
        for page, method, build, allowed in PAGES
        for visitor in VISITORS
    ],
)
def test_results_page_answers_each_visitor(
    client, matrix_world, page, method, build, allowed, visitor
):
    user = matrix_world.users[visitor]
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(build(matrix_world))
    if visitor == "anonymous":
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse(settings.LOGIN_URL)), page
    else:
        assert response.status_code == allowed.get(visitor, 404), page
    # Nothing changed behind a refusal.
    assert Decision.objects.filter(award=matrix_world.award).count() == 1


def test_objects_of_another_award_are_404(organiser, s):
    other = scored()
    decide(other)
    decide(s)
    decision = Decision.objects.get(award=other.award)
    assert organiser.get(url(s.award, "explanation", pk=other.submissions[0].pk)).status_code == (
        404
    )
    assert organiser.get(url(s.award, "press_image", pk=decision.pk)).status_code == 404
    assert organiser.get(category_url(s.award, other.category)).status_code == 404
    response = organiser.post(
        url(s.award, "decision_reopen", category=other.category.pk), {"reason": "x"}
    )
    assert response.status_code == 404
    assert Decision.objects.filter(award=other.award).count() == 1


# --- Jurors, the award page and an award without rounds ----------------------------------


def test_the_manage_page_links_to_the_results_pages(organiser, s):
    html = text(organiser.get(reverse("awards:manage", kwargs={"slug": s.award.slug})))
    for address in (
        url(s.award, "overview"),
        url(s.award, "quality"),
        url(s.award, "publication"),
        reverse("awards:audit", kwargs={"slug": s.award.slug}),
    ):
        assert address in html


def test_jurors_get_404_even_where_the_award_lets_them_see_the_ranking(client, s):
    Award.objects.filter(pk=s.award.pk).update(jurors_see_ranking=True)
    client.force_login(s.jurors[0].user)
    for address in (
        url(s.award, "overview"),
        category_url(s.award, s.category),
        url(s.award, "explanation", pk=s.submissions[0].pk),
        url(s.award, "quality"),
    ):
        assert client.get(address).status_code == 404, address


def test_pages_of_an_award_without_rounds(client):
    award = AwardFactory(status="open")
    organiser = prefer_english(AwardRoleFactory(award=award, role="organiser").user)
    category = CategoryFactory(award=award, name_en="Mobility")
    client.force_login(organiser)
    overview = text(client.get(url(award, "overview")))
    assert overview.count("No round has judged this category yet.") == 1
    assert 'data-testid="decision-form"' not in overview
    page = text(client.get(category_url(award, category)))
    assert page.count("No round has judged this category yet.") == 1
    assert 'data-testid="decision-form"' not in page
    assert "No scoring round has started yet." in text(client.get(url(award, "quality")))
    publication = client.get(url(award, "publication"))
    assert 'data-state="undecided"' in text(publication)
    assert "Mobility" in text(publication)
