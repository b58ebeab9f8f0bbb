"""Deciding while reviews are missing or an entry is incomplete: the ranking page says how
many are missing and which entries are incomplete, and the decision needs an explicit
confirmation (service and page), recorded in the audit entry."""

import pytest
from django.utils import translation

from awards.models import AuditEntry
from jury import services
from jury.models import Assignment
from results import services as results_services
from results.models import Decision
from tests.helpers import text
from tests.results.manage_helpers import category_url, review, scored, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def gapped():
    """Three jurors scored e0 > e1 > e2 (two reviews required per entry); a fourth
    assignment (juror 0 → a fourth entry, e3) was never reviewed, and e3 has one review
    from juror 1: one review missing, e3 incomplete."""
    s = scored(close=False, extra_entries=1)
    extra = s.submissions[3]
    Assignment.objects.create(round=s.round, juror=s.jurors[0], submission=extra)
    review(s, s.jurors[1], extra, 10)
    services.round_close(round=s.round, actor=s.organiser)
    return s


def decide(s, places, **options):
    with translation.override("en"):
        return _decide(s, places, **options)


def _decide(s, places, **options):
    return results_services.decision_confirm(
        award=s.award,
        category=s.category,
        choice=results_services.Choice(places=[p.pk for p in places]),
        justification=options.pop("justification", ""),
        actor=s.organiser,
        **options,
    )


def test_deciding_with_missing_reviews_needs_a_confirmation(gapped):
    s = gapped
    with pytest.raises(results_services.DecisionError) as caught:
        decide(s, [s.submissions[0]], justification="e3 has too few reviews.")

    assert caught.value.message_dict["confirm_gaps"] == [
        "1 assigned review of this category is missing. Confirm that you decide all the same."
    ]
    assert not Decision.objects.exists()

    decide(s, [s.submissions[0]], justification="e3 has too few reviews.", gaps_confirmed=True)
    entry = AuditEntry.objects.get(award=s.award, action="decision.confirmed")
    assert (entry.data["missing_reviews"], entry.data["incomplete_chosen"]) == (1, [])


def test_choosing_an_incomplete_entry_is_named_in_the_confirmation(gapped):
    s = gapped
    # e3 has one of two reviews but the highest total: it leads the ranking.
    with pytest.raises(results_services.DecisionError) as caught:
        decide(s, [s.submissions[3]])

    assert caught.value.message_dict["confirm_gaps"] == [
        "1 assigned review of this category is missing. 1 chosen entry has fewer reviews "
        "than required. Confirm that you decide all the same."
    ]
    decide(s, [s.submissions[3]], gaps_confirmed=True)
    entry = AuditEntry.objects.get(award=s.award, action="decision.confirmed")
    assert entry.data["incomplete_chosen"] == [s.submissions[3].pk]


def test_the_ranking_page_marks_the_incomplete_entry_and_warns_before_deciding(client, gapped):
    s = gapped
    client.force_login(s.organiser)
    response = client.get(category_url(s.award, s.category))
    html = text(response)
    block = response.context["category_block"]

    # The incomplete entry leads, is marked as such, and the verdict never says robust.
    assert block.ranked[0].submission.pk == s.submissions[3].pk
    assert "incomplete (1 of 2 reviews)" in html
    assert block.robustness.verdict == "incomplete"
    assert 'data-testid="verdict">incomplete<' in html
    assert "The leader is incomplete: it has 1 of the 2 reviews the round requires" in html
    # Before deciding: what is missing, and a box to confirm it.
    assert 'data-testid="decision-gaps"' in html
    # 3 jurors × 3 entries, and two assignments of e3: 11 assigned, 10 submitted.
    assert (block.progress.assigned, block.progress.submitted) == (11, 10)
    assert "1 of 11 assigned reviews in this category was not submitted." in html
    assert f"{s.submissions[3].reference} (1/2)" in html
    assert f'name="c{s.category.pk}-confirm_gaps"' in html


def test_the_page_refuses_without_the_confirmation_and_decides_with_it(client, gapped):
    s = gapped
    client.force_login(s.organiser)
    target = url(s.award, "decision_confirm", category=s.category.pk)
    prefix = f"c{s.category.pk}"
    data = {f"{prefix}-place_1": str(s.submissions[0].pk), f"{prefix}-justification": "Jury."}

    refused = client.post(target, data)
    assert refused.status_code == 400
    assert "Confirm that you decide all the same." in text(refused)
    assert not Decision.objects.exists()

    decided = client.post(target, {**data, f"{prefix}-confirm_gaps": "on"})
    assert decided.status_code == 302
    assert Decision.objects.get().submission == s.submissions[0]


def test_a_complete_round_asks_for_no_confirmation(client):
    s = scored()
    client.force_login(s.organiser)
    html = text(client.get(category_url(s.award, s.category)))

    assert 'data-testid="decision-form"' in html
    assert 'data-testid="decision-gaps"' not in html
    assert "confirm_gaps" not in html
    decide(s, [s.submissions[0]])  # no confirmation needed
    assert Decision.objects.count() == 1
