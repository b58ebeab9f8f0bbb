"""An award's application form as the pages read it comes from the cache
(``selectors.form_questions_for_pages``); every change of a question, its categories, the
award or a category shows on the next page view, and the services that store answers read
the form from the database."""

import pytest
from django.urls import reverse

from submissions import services
from submissions.selectors import form_questions_for_pages
from tests.factories import CategoryFactory
from tests.helpers import login
from tests.submissions.helpers import form_data, make_complete
from tests.submissions.test_entry_questions import ask, edit_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def overview(client, entry) -> str:
    return client.get(reverse("submissions:detail", kwargs={"pk": entry.pk})).content.decode()


@pytest.fixture
def viewed(client, people, entry, award):
    """The member has looked at the entry's overview once: its form is in the cache."""
    make_complete(entry)
    login(client, people["member"])
    overview(client, entry)
    return entry


def test_a_repeat_view_reads_the_form_from_the_cache(viewed, award, django_assert_num_queries):
    first = form_questions_for_pages(award.pk)
    with django_assert_num_queries(0):
        again = form_questions_for_pages(award.pk)
    assert [q.pk for q in again] == [q.pk for q in first]


def test_a_new_question_and_a_new_label_show_on_the_next_view(client, viewed, award):
    added = ask(award, "short_text", "material", label="Main material")
    entry = viewed
    entry.answers = {**entry.answers, str(added.pk): {"value": "flax fibre", "version": 1}}
    entry.save(update_fields=["answers"])
    assert "Main material" in overview(client, entry)

    services.question_update(
        question=added, actor=None, expected_version=added.version, label_en="Principal material"
    )
    page = overview(client, entry)

    assert "Principal material" in page and "Main material" not in page


def test_a_question_bound_to_another_category_leaves_the_page_at_once(client, viewed, award):
    added = ask(award, "short_text", "material", label="Main material")
    assert "Main material" in overview(client, viewed)

    added.categories.set([CategoryFactory(award=award)])

    assert "Main material" not in overview(client, viewed)


def test_saving_answers_checks_them_against_the_form_as_it_is_now(client, viewed, award):
    """The cache is the pages' only: a question added a moment ago is answerable at once."""
    overview(client, viewed)
    added = ask(award, "short_text", "material", label="Main material")

    response = client.post(edit_url(viewed), form_data(viewed, material="flax fibre"))

    assert response.status_code in (200, 302)
    viewed.refresh_from_db()
    assert viewed.answers[str(added.pk)]["value"] == "flax fibre"


def test_a_new_order_of_the_questions_shows_on_the_next_view(client, viewed, award):
    """Reordering writes all positions in one bulk update, which sends no save signal."""
    first = ask(award, "short_text", "first", label="Alpha question")
    second = ask(award, "short_text", "second", label="Omega question")
    entry = viewed
    entry.answers = {
        **entry.answers,
        str(first.pk): {"value": "a", "version": 1},
        str(second.pk): {"value": "b", "version": 1},
    }
    entry.save(update_fields=["answers"])
    before = overview(client, entry)
    assert before.index("Alpha question") < before.index("Omega question")
    order = [q.pk for q in award.questions.order_by("position", "pk")]
    order.remove(second.pk)
    order.insert(order.index(first.pk), second.pk)

    services.questions_reorder(award=award, actor=None, order=order)
    after = overview(client, entry)

    assert after.index("Omega question") < after.index("Alpha question")
