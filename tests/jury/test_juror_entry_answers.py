"""The entry as the juror reads it on the review page: the answers in the order and sections of
its category's form, in the juror's language; a hidden (retired) question's answer still shown,
another category's question not; file slots with their files; user text inert; and a fixed
number of queries however large the form."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from submissions.models import Question
from tests.factories import CategoryFactory, standard_answers
from tests.helpers import login, text
from tests.jury.juror_helpers import (
    ESCAPED_SCRIPT,
    SCRIPT,
    add_document,
    add_image,
    assign,
    url,
)

pytestmark = pytest.mark.django_db

HOSTILE = f'{SCRIPT}<a href="javascript:alert(2)" hx-get="/x">x</a>'


def review_page(client, jury, assignment, language="en") -> str:
    user = jury.jurors[0].user
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    login(client, user)
    response = client.get(url("review", jury, pk=assignment.pk))
    assert response.status_code == 200
    return text(response)


def entry_part(page: str) -> str:
    """The entry's section of the page (the score form has texts of its own)."""
    return page[
        page.index('data-testid="entry"') : page.index(
            "</section>", page.index('data-testid="entry"')
        )
    ]


def in_order(page: str, *texts: str) -> bool:
    positions = [page.index(t) for t in texts]
    return positions == sorted(positions)


def question(award, key, **fields) -> Question:
    values = {"kind": "short_text", "label_de": key, "position": 1000}
    return Question.objects.create(award=award, key=key, **{**values, **fields})


def answer(submission, question, value):
    submission.answers = {
        **(submission.answers or {}),
        str(question.pk): {"value": value, "version": question.version},
    }
    submission.save(update_fields=["answers"])


def test_the_answers_follow_the_form_with_its_headings_in_english_and_german(
    client, jury, assigned
):
    entry = jury.submissions[0]
    entry.answers = standard_answers(jury.award, video_url="https://video.example.net/flax")
    entry.save(update_fields=["answers"])

    english = entry_part(review_page(client, jury, assigned, "en"))
    german = entry_part(review_page(client, jury, assigned, "de"))

    assert in_order(
        english,
        "Description of the innovation",
        "Woven flax and bio-resin, pressed in one piece.",
        '<h3 class="h5 border-bottom pb-1" data-testid="entry-section-heading">Assessment</h3>',
        "What makes it lightweight",
        "Degree of innovation",
        "Future potential for people and the region",
        "Market readiness",
        "TRL 7 – prototype demonstrated in an operational environment",
        ">Team and video</h3>",
        "Six engineers and designers from Berlin.",
        "Video link",
        '<a href="https://video.example.net/flax" rel="noopener noreferrer" target="_blank">',
    )
    assert in_order(
        german,
        "Beschreibung der Innovation",
        ">Bewertungsgrundlagen</h3>",
        "Was die Innovation zum Leichtbau macht",
        "Marktreife",
        "TRL 7 – Prototyp im Einsatz demonstriert",
        ">Team und Video</h3>",
        "Link zu einem Video",
    )
    assert "Market readiness" not in german and "Marktreife" not in english


def test_an_unanswered_question_shows_a_dash_and_an_empty_section_keeps_its_slots(
    client, jury, assigned
):
    entry = jury.submissions[0]
    entry.answers = standard_answers(jury.award)  # no video link
    entry.save(update_fields=["answers"])
    video = jury.award.questions.get(key="video_url")

    page = entry_part(review_page(client, jury, assigned))

    row = re.search(rf'<dd[^>]*data-question="{video.pk}"[^>]*>(.*?)</dd>', page, re.DOTALL)
    assert row is not None
    assert row.group(1) == "–"
    # The file slots are listed with "–" while they hold nothing.
    assert "Images of the innovation" in page and "Documents" in page
    assert page.count('data-testid="slot-empty"') == 2


def test_files_are_shown_in_their_slot_and_older_ones_under_further_files(client, jury, assigned):
    entry = jury.submissions[0]
    image = add_image(entry)
    document = add_document(entry)
    loose = add_image(entry)
    loose.question = None
    loose.original_name = "Older photo.png"
    loose.save(update_fields=["question", "original_name"])

    page = entry_part(review_page(client, jury, assigned))

    assert in_order(
        page,
        "Images of the innovation",
        f'data-attachment="{image.pk}"',
        ">Documents</h4>",
        f'data-attachment="{document.pk}"',
        ">Further files</h3>",
        f'data-attachment="{loose.pk}"',
    )
    assert 'data-testid="slot-empty"' not in page


def test_a_hidden_questions_answer_is_still_shown_and_another_categorys_question_is_not(
    client, jury, assigned
):
    entry = jury.submissions[0]
    entry.answers = standard_answers(jury.award)
    entry.save(update_fields=["answers"])
    retired = question(jury.award, "patent", label_en="Patent status", retired=True)
    answer(entry, retired, "Granted in 2029")
    question(jury.award, "unanswered_retired", label_en="Old question", retired=True)
    elsewhere = question(jury.award, "fleet", label_en="Fleet size")
    elsewhere.categories.set([CategoryFactory(award=jury.award)])
    answer(entry, elsewhere, "Forty vans")

    page = entry_part(review_page(client, jury, assigned))

    assert in_order(page, "Team", "Patent status", "Granted in 2029")
    assert "Old question" not in page
    assert "Fleet size" not in page and "Forty vans" not in page


def test_hostile_labels_and_answers_are_inert(client, jury, assigned):
    entry = jury.submissions[0]
    hostile = question(jury.award, "hostile", label_de=HOSTILE, label_en=HOSTILE, kind="long_text")
    heading = question(
        jury.award, "hostile_heading", kind="section", label_en=HOSTILE, position=999
    )
    link = question(jury.award, "link", kind="url", label_en="Website", position=1001)
    entry.answers = {
        **standard_answers(jury.award),
        str(hostile.pk): {"value": HOSTILE, "version": 1},
        str(link.pk): {"value": "javascript:alert(3)", "version": 1},
    }
    entry.save(update_fields=["answers"])
    assert heading.pk

    page = entry_part(review_page(client, jury, assigned))

    assert SCRIPT not in page
    assert page.count(ESCAPED_SCRIPT) == 3  # the heading, the label and the answer
    assert 'hx-get="' not in page
    assert 'href="javascript:' not in page
    assert "javascript:alert(3)" in page


def test_the_review_page_reads_the_form_in_a_fixed_number_of_queries(
    client, jury, django_assert_num_queries
):
    """Two entries of the same award: the second's form has 30 more questions (answered, one
    category-bound and one retired among them) and more files; the page asks as often."""
    small = assign(jury, jury.jurors[0], jury.submissions[0])
    large = assign(jury, jury.jurors[0], jury.submissions[1])
    review_page(client, jury, small)  # the session and caches settle
    with CaptureQueriesContext(connection) as captured:
        client.get(url("review", jury, pk=small.pk))
    few = len(captured)  # now: the log is emptied by the next request
    entry = jury.submissions[1]
    category = CategoryFactory(award=jury.award)
    answers = dict(standard_answers(jury.award))
    for number in range(30):
        extra = question(jury.award, f"extra_{number}", position=2000 + number)
        answers[str(extra.pk)] = {"value": f"Answer {number}", "version": 1}
        if number == 0:
            extra.categories.set([category])
        if number == 1:
            extra.retired = True
            extra.save(update_fields=["retired"])
    entry.answers = answers
    entry.save(update_fields=["answers"])
    add_image(entry)
    add_document(entry)
    client.get(url("review", jury, pk=large.pk))  # the changed form is read again, once

    with django_assert_num_queries(few):
        page = text(client.get(url("review", jury, pk=large.pk)))
    assert "Answer 29" in page and "Answer 1<" in page and "Answer 0<" not in page
