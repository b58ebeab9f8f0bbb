"""What the review page reads (issue #16): the seat with its award in one query, the
assignment with its entry, company and the juror's own review in one, the navigation and the
calibration gate from one list of the round's assignments; and the score buttons written in
Python exactly as Django's radio widget writes them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jury import services
from jury.forms import ReviewForm, score_buttons
from tests.helpers import login, text
from tests.jury.juror_helpers import assign, url

pytestmark = pytest.mark.django_db


def form_of(jury, **kwargs) -> ReviewForm:
    for criterion in jury.criteria:
        criterion.score_control = "buttons"
    return ReviewForm(criteria=jury.criteria, private_notes=True, **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"initial": {"version": 0}},
        {"initial": {"version": 0, "score_CRIT0": 7}},
        {"data": {"version": "0", "score_CRIT0": "4", "score_CRIT1": "<b>"}},
    ],
)
def test_the_score_buttons_are_the_radio_widgets_markup(jury, kwargs):
    first = jury.criteria[0].pk
    second = jury.criteria[1].pk
    for key in ("initial", "data"):
        if key in kwargs:
            kwargs = {
                key: {
                    k.replace("CRIT0", str(first)).replace("CRIT1", str(second)): v
                    for k, v in kwargs[key].items()
                }
            }
    form = form_of(jury, **kwargs)
    if form.is_bound:
        form.is_valid()
        form.add_error(f"score_{first}", "Out of the scale")  # marked invalid

    for _criterion, score, _comment, buttons in form.rows():
        radios = list(score)
        assert [b.input for b in buttons] == [str(r.tag()) for r in radios]
        assert [b.id for b in buttons] == [r.id_for_label for r in radios]
        assert [b.label for b in buttons] == [str(r.choice_label) for r in radios]
        assert [b.value for b in buttons] == [str(r.data["value"]) for r in radios]
    assert score_buttons(form[f"score_{first}"])[0].input.startswith('<input type="radio"')


def test_the_review_page_reads_each_row_once(client, jury, assigned):
    services.review_save(
        assignment=assigned, actor=jury.jurors[0].user, version=0, scores={}, submit=False
    )
    assign(jury, jury.jurors[0], jury.submissions[1])
    login(client, jury.jurors[0].user)
    page = url("review", jury, pk=assigned.pk)
    client.get(page)  # the session settles

    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)

    assert response.status_code == 200
    assert "Entry 1 of 2 open" in text(response)
    sql = [q["sql"] for q in queries.captured_queries]
    # The award comes with the seat; the entry (its answers) with the assignment.
    assert not [s for s in sql if s.startswith('SELECT "awards_award"') and '"slug" =' in s]
    assert len([s for s in sql if '"submissions_submission"."answers"' in s]) == 1
    assert not [s for s in sql if s.startswith('SELECT "jury_review"')]
    # No query of its own for the calibration gate.
    assert not [s for s in sql if s.startswith('SELECT 1 AS "a"')]
    # The assignment once, the round's list once (the navigation and the gate).
    assert len([s for s in sql if s.startswith('SELECT "jury_assignment"')]) == 2


def test_a_scale_too_long_for_buttons_keeps_its_number_box(jury):
    criterion = jury.criteria[0]
    criterion.score_control = "buttons"
    criterion.scale_min, criterion.scale_max = 0, 100

    form = ReviewForm(criteria=[criterion], private_notes=False, initial={"version": 0})

    ((_criterion, score, _comment, buttons),) = form.rows()
    assert [b.input for b in buttons] == [str(r.tag()) for r in score]
    assert len(buttons) == 1 and 'type="number"' in buttons[0].input
