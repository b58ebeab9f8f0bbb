"""Starting an entry (/awards/<slug>/enter/): who may, the companies and categories offered,
what the form refuses, and an award that is closed, past its deadline or still a draft."""

import pytest
from django.urls import reverse

from submissions.models import Submission
from tests.factories import AwardFactory, CategoryFactory, OrganisationFactory, UserFactory
from tests.helpers import login, login_url
from tests.submissions.helpers import close_award, closed_text

pytestmark = pytest.mark.django_db

# --- Starting an entry ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 302),
        ("stranger", 200),
        ("member", 200),
        ("other_member", 200),
        ("organiser", 200),
        ("juror", 200),
    ],
)
def test_start_page_by_role(client, people, award, category, role, status):
    login(client, people[role])
    url = reverse("submissions:submission_create", kwargs={"slug": award.slug})

    response = client.get(url)

    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"] == login_url(url)


def test_start_page_asks_a_user_without_company_to_create_one_and_come_back(
    client, people, award, category
):
    login(client, people["stranger"])
    url = reverse("submissions:submission_create", kwargs={"slug": award.slug})

    html = client.get(url).content.decode()

    assert 'href="/organisations/new/?next=/awards/lia-2040/enter/"' in html
    assert 'data-testid="start-form"' not in html


def test_start_page_offers_the_users_companies_and_this_awards_categories_with_prize(
    client, people, award, category
):
    CategoryFactory(award=award, code="MAT", name_en="Materials", prize_amount=5000, position=2)
    CategoryFactory(award=AwardFactory(status="open"), name_en="Elsewhere")
    login(client, people["member"])

    html = client.get(reverse("submissions:submission_create", kwargs={"slug": award.slug}))
    html = html.content.decode()

    assert "Mobility – €10,000" in html
    assert "Materials – €5,000" in html
    assert "Elsewhere" not in html
    assert "Red Arrow Composites" in html
    assert "Blue Fibre" not in html
    assert html.count('<input type="radio" class="form-check-input"  name="category"') == 2


def test_an_unverified_user_may_not_start_an_entry(client, award, category):
    user = UserFactory(email_verified_at=None, preferred_language="en")
    client.force_login(user)

    response = client.get(reverse("submissions:submission_create", kwargs={"slug": award.slug}))

    assert response.status_code == 403


def test_a_draft_award_is_not_found(client, people, category):
    hidden = AwardFactory(status="draft", slug="hidden-award")
    login(client, people["member"])

    response = client.get(reverse("submissions:submission_create", kwargs={"slug": hidden.slug}))

    assert response.status_code == 404


def test_starting_an_entry_creates_a_draft_and_opens_the_edit_page(
    client, people, award, category, organisation
):
    login(client, people["colleague"])

    response = client.post(
        reverse("submissions:submission_create", kwargs={"slug": award.slug}),
        {"organisation": organisation.pk, "category": category.pk, "title": "Carbon wheel"},
    )

    entry = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("submissions:edit", kwargs={"pk": entry.pk})
    assert (entry.title, entry.status, entry.organisation, entry.category, entry.created_by) == (
        "Carbon wheel",
        "draft",
        organisation,
        category,
        people["colleague"],
    )


def test_a_category_of_another_award_is_refused_by_the_form(
    client, people, award, category, organisation
):
    foreign = CategoryFactory(award=AwardFactory(status="open"))
    login(client, people["member"])

    response = client.post(
        reverse("submissions:submission_create", kwargs={"slug": award.slug}),
        {"organisation": organisation.pk, "category": foreign.pk, "title": "Carbon wheel"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "category": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert Submission.objects.count() == 0


def test_another_companys_id_is_refused_by_the_form(client, people, award, category):
    foreign = OrganisationFactory(name="Somebody Else")
    login(client, people["member"])

    response = client.post(
        reverse("submissions:submission_create", kwargs={"slug": award.slug}),
        {"organisation": foreign.pk, "category": category.pk, "title": "Carbon wheel"},
    )

    assert response.context["form"].errors == {
        "organisation": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert Submission.objects.count() == 0


def test_after_the_deadline_the_start_page_shows_the_deadline_and_no_form(
    client, people, award, category, organisation
):
    close_award(award)
    login(client, people["member"])
    url = reverse("submissions:submission_create", kwargs={"slug": award.slug})

    page = client.get(url).content.decode()
    posted = client.post(
        url, {"organisation": organisation.pk, "category": category.pk, "title": "Late"}
    )

    assert closed_text(award) in page
    assert 'data-testid="start-form"' not in page
    assert closed_text(award) in posted.content.decode()
    assert Submission.objects.count() == 0


def test_a_closed_award_shows_that_it_does_not_accept_entries(client, people, award, category):
    award.status = "closed"
    award.save()
    login(client, people["member"])

    html = client.get(reverse("submissions:submission_create", kwargs={"slug": award.slug}))

    assert "This award does not accept entries at the moment." in html.content.decode()
