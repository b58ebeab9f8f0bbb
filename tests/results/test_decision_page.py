"""Deciding on the results page: confirming the ranking, departing from it with a
justification, places and mentions, reopening with a reason, the jury chair and a second
organiser, and a final round of ranked ballots that decides the category."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from awards.models import AuditEntry, Award
from jury import services
from results import services as results_services
from results.models import Decision, RankingSnapshot
from tests.factories import AwardRoleFactory, RoundFactory, UserFactory
from tests.helpers import prefer_english, text
from tests.results.manage_helpers import category_url, decide, rows, scored, url

pytestmark = pytest.mark.django_db

# --- Helpers -----------------------------------------------------------------------------


def confirm(client, s, *places, justification="", mentions=()):
    prefix = f"c{s.category.pk}"
    data = {f"{prefix}-justification": justification}
    for index, submission in enumerate(places, start=1):
        data[f"{prefix}-place_{index}"] = str(submission.pk)
    if mentions:
        data[f"{prefix}-mentions"] = [str(m.pk) for m in mentions]
    return client.post(url(s.award, "decision_confirm", category=s.category.pk), data)


# --- Decisions ---------------------------------------------------------------------------


def test_confirming_the_ranking_needs_no_justification_and_decides_the_award(organiser, s):
    response = confirm(organiser, s, s.submissions[0])
    assert response.status_code == 302
    # Back to the category's page, where the decision now stands.
    assert response["Location"] == category_url(s.award, s.category)
    decision = Decision.objects.get(award=s.award)
    assert (decision.submission_id, decision.place, decision.justification) == (
        s.submissions[0].pk,
        1,
        "",
    )
    assert Award.objects.get(pk=s.award.pk).status == "decided"
    page = organiser.get(response["Location"])
    html = text(page)
    assert 'data-testid="decision-state">decided<' in html
    assert "The decision follows the ranking." in html
    # The frozen ranking in words, with the audit entry that holds its fingerprint.
    assert "Ranking frozen on" in html and "verifiable" in html
    assert decision.snapshot.digest[:12] not in html
    entry = AuditEntry.objects.get(award=s.award, action="decision.confirmed")
    assert entry.data["snapshot"] == decision.snapshot.digest
    audit = f"/manage/{s.award.slug}/audit/?entry={entry.pk}#entry-{entry.pk}"
    assert audit in html
    assert f'id="entry-{entry.pk}"' in text(organiser.get(audit.split("#")[0]))
    assert f"Confirmed by {escape(s.organiser.full_name)} on" in html
    assert 'data-testid="reopen-form"' in html
    assert 'data-testid="decision-form"' not in html


def test_the_form_is_prefilled_with_the_ranking(organiser, s):
    response = organiser.get(category_url(s.award, s.category))
    form = response.context["category_block"].form
    assert form.initial == {"place_1": str(s.submissions[0].pk)}


def test_departing_without_justification_is_refused_at_the_field(organiser, s):
    response = confirm(organiser, s, s.submissions[1])
    assert response.status_code == 400
    # The category's page again, with the submitted form and its errors.
    assert response.templates[0].name == "results/manage_category.html"
    form = response.context["category_block"].form
    assert form.errors["justification"] == [
        "The choice departs from the ranking (place 1): please give the jury's reasons."
    ]
    html = text(response)
    assert escape("please give the jury's reasons.") in html
    # The input is kept: the second entry stays selected.
    assert re.search(rf'<option value="{s.submissions[1].pk}" selected>', html)
    assert Decision.objects.count() == 0
    assert RankingSnapshot.objects.count() == 0
    assert Award.objects.get(pk=s.award.pk).status == "judging"


def test_departing_with_justification_is_saved_and_logged(organiser, s):
    reason = "The runner-up's series production is already running."
    response = confirm(organiser, s, s.submissions[1], justification=reason)
    assert response.status_code == 302
    decision = Decision.objects.get(award=s.award)
    assert (decision.submission_id, decision.justification) == (s.submissions[1].pk, reason)
    entry = AuditEntry.objects.filter(award=s.award, action="decision.confirmed").get()
    assert entry.data["departures"] == [1]
    assert entry.data["after"] == {"places": [s.submissions[1].pk], "mentions": []}
    assert entry.data["justification"] == reason
    html = text(organiser.get(category_url(s.award, s.category)))
    assert escape(reason) in html
    audit = text(organiser.get(reverse("awards:audit", kwargs={"slug": s.award.slug})))
    assert "Decision confirmed" in audit
    # The log names its keys in words (awards.activity), not by the data's raw keys.
    assert re.search(r"<dt[^>]*>Places that depart from the ranking</dt>\s*<dd[^>]*>1</dd>", audit)


def test_places_and_mentions_where_the_award_gives_them(organiser, s):
    Award.objects.filter(pk=s.award.pk).update(places_per_category=2, special_mentions=True)
    e0, e1, e2 = s.submissions
    page = organiser.get(category_url(s.award, s.category))
    form = page.context["category_block"].form
    assert form.initial == {"place_1": str(e0.pk), "place_2": str(e1.pk)}
    assert set(form.fields) == {"place_1", "place_2", "mentions", "justification"}
    response = confirm(organiser, s, e0, e1, mentions=[e2])
    assert response.status_code == 302
    assert sorted(
        Decision.objects.filter(award=s.award).values_list("submission_id", "kind", "place")
    ) == sorted([(e0.pk, "place", 1), (e1.pk, "place", 2), (e2.pk, "mention", None)])


def test_a_place_left_empty_before_a_filled_one_is_refused(organiser, s):
    Award.objects.filter(pk=s.award.pk).update(places_per_category=2)
    prefix = f"c{s.category.pk}"
    response = organiser.post(
        url(s.award, "decision_confirm", category=s.category.pk),
        {f"{prefix}-place_1": "", f"{prefix}-place_2": str(s.submissions[0].pk)},
    )
    assert response.status_code == 400
    assert response.context["category_block"].form.errors["place_1"] == ["Choose the winner."]
    assert Decision.objects.count() == 0


def test_no_decision_while_the_round_is_open(organiser):
    s = scored(close=False)
    organiser.force_login(s.organiser)
    # The overview says why in the category's summary; its page says it too, without a form.
    html = text(organiser.get(url(s.award, "overview")))
    assert escape(f"Close the round “{s.round.name}” before deciding on it.") in html
    html = text(organiser.get(category_url(s.award, s.category)))
    assert escape(f"Close the round “{s.round.name}” before deciding on it.") in html
    assert 'data-testid="decision-form"' not in html
    response = confirm(organiser, s, s.submissions[0])
    assert response.status_code == 400
    assert escape(f"Close the round “{s.round.name}” before deciding on it.") in text(response)
    assert Decision.objects.count() == 0


def test_the_chair_confirms_and_reopens(client, s):
    client.force_login(s.chair.user)
    response = confirm(client, s, s.submissions[0])
    assert response.status_code == 302
    assert response["Location"] == category_url(s.award, s.category)
    assert Decision.objects.get(award=s.award).decided_by == s.chair.user
    response = client.post(
        url(s.award, "decision_reopen", category=s.category.pk),
        {f"c{s.category.pk}-reason": "A conflict of interest came to light."},
    )
    assert response.status_code == 302
    assert response["Location"] == category_url(s.award, s.category)
    assert Decision.objects.count() == 0


def test_reopening_needs_a_reason(organiser, s):
    decide(s)
    address = url(s.award, "decision_reopen", category=s.category.pk)
    response = organiser.post(address, {f"c{s.category.pk}-reason": "  "})
    assert response.status_code == 400
    assert response.context["category_block"].reopen_form.errors["reason"] == [
        "Say why the decision is reopened."
    ]
    assert Decision.objects.filter(award=s.award).count() == 1
    assert Award.objects.get(pk=s.award.pk).status == "decided"

    reason = "The winner withdrew."
    response = organiser.post(address, {f"c{s.category.pk}-reason": reason})
    assert response.status_code == 302
    assert response["Location"] == category_url(s.award, s.category)
    assert Decision.objects.filter(award=s.award).count() == 0
    assert Award.objects.get(pk=s.award.pk).status == "judging"
    entry = AuditEntry.objects.filter(award=s.award, action="decision.reopened").get()
    assert entry.data["reason"] == reason
    page = organiser.get(category_url(s.award, s.category))
    assert 'data-testid="decision-form"' in text(page)


# --- Another organiser, and a final round of ballots -------------------------------------


def test_a_second_organiser_of_the_award_may_decide(client, s):
    second = prefer_english(UserFactory())
    AwardRoleFactory(award=s.award, user=second, role="organiser")
    client.force_login(second)
    assert confirm(client, s, s.submissions[0]).status_code == 302


def test_a_final_round_of_ranked_ballots_decides_the_category(organiser, s):
    e0, e1, _e2 = s.submissions
    final = RoundFactory(award=s.award, number=2, kind="final", method="ranking")
    results_services.shortlist_take(round=s.round, actor=s.organiser, size=2)
    final = services.round_open(round=final, actor=s.organiser)
    for juror in s.jurors:
        services.ballot_save(
            round=final,
            juror=juror,
            category_id=s.category.pk,
            ranking={e1.pk: 1, e0.pk: 2},
            version=0,
            submit=True,
            finalists=[e0.pk, e1.pk],
        )
    services.round_close(round=final, actor=s.organiser)
    response = organiser.get(category_url(s.award, s.category))
    html = text(response)
    assert [(r["place"], r["title"], r["score"], r["reviews"]) for r in rows(html)] == [
        ("1", e1.title, "–", "3"),
        ("2", e0.title, "–", "3"),
    ]
    assert "the Schulze method combines the ballots" in html
    assert 'data-testid="robustness-' not in html
    assert response.context["category_block"].form.initial == {"place_1": str(e1.pk)}
    assert confirm(organiser, s, e1).status_code == 302
    assert Decision.objects.get(award=s.award).snapshot.round == final
    explanation = text(organiser.get(url(s.award, "explanation", pk=e1.pk)))
    assert "Place 1 by the Schulze method, on 3 ballots." in explanation
    # The entry left out of the final is explained by the round that left it out.
    third = organiser.get(url(s.award, "explanation", pk=_e2.pk))
    assert third.context["round"] == s.round
    assert third.context["explanation"].place == 3


def test_the_overview_and_the_categorys_page_agree_on_whether_it_can_be_decided(organiser):
    """A closed round whose entries in the category have no complete review yet: the
    category's page offers the decision on them, so the overview must not say that the round
    has no entries there."""
    s = scored(values=((), (), ()), extra_entries=2)
    organiser.force_login(s.organiser)
    page = organiser.get(category_url(s.award, s.category))
    overview = organiser.get(url(s.award, "overview"))

    block = page.context["category_block"]
    assert (block.blocked, len(block.unranked)) == ("", 2)
    assert 'data-testid="decision-form"' in text(page)
    assert overview.context["blocks"][0].blocked == block.blocked
    assert "The round has no entries of this category." not in text(overview)
