"""What the public sees of each distinction: the jury's statement (German, English) and
whether a place or mention is shown at all (``results.services.decision_present``), the
organisers' page per decision (/manage/<slug>/results/decisions/statement/<pk>/), the list
on the publication page, and the snippet that embeds the winners on another website."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape

from awards.models import AuditEntry, Award
from results import services
from results.models import Decision
from tests.factories import AwardFactory, AwardRoleFactory, UserFactory
from tests.helpers import text
from tests.results.manage_helpers import category_url, decide, scored, url

pytestmark = pytest.mark.django_db


def decide_all(s, *, mention: bool = True) -> dict[str, Decision]:
    """Places 1–3 of the ranking's order (and a mention) for the award's category."""
    Award.objects.filter(pk=s.award.pk).update(places_per_category=3, special_mentions=mention)
    s.award.refresh_from_db()
    a, b, c, *rest = s.submissions
    services.decision_confirm(
        award=s.award,
        category=s.category,
        choice=services.Choice(places=[a.pk, b.pk, c.pk], mentions=[rest[0].pk] if mention else []),
        justification="",
        actor=s.organiser,
        gaps_confirmed=True,
    )
    s.award.refresh_from_db()
    by_submission = {d.submission_id: d for d in Decision.objects.filter(award=s.award)}
    result = {"winner": by_submission[a.pk], "second": by_submission[b.pk]}
    if mention:
        result["mention"] = by_submission[rest[0].pk]
    return result


@pytest.fixture
def s4():
    """The hand-scored award with a fourth, unreviewed entry (for a mention)."""
    return scored(extra_entries=1)


@pytest.fixture
def organiser4(client, s4):
    client.force_login(s4.organiser)
    return client


def statement_url(award, decision) -> str:
    return url(award, "decision_statement", pk=decision.pk)


def presented(award) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(award=award, action="decision.presented").order_by("pk"))


# --- The service -------------------------------------------------------------------------


def test_a_statement_is_saved_logged_and_marks_the_results_changed(s):
    decide(s)
    decision = Decision.objects.get(award=s.award)
    Award.objects.filter(pk=s.award.pk).update(results_changed_at=None)

    saved = services.decision_present(
        decision=decision,
        statement_de="Ein Rahmen aus Flachs, 40 % leichter.\r\nÜberzeugend.",
        statement_en=" A flax frame, 40 per cent lighter. ",
        public=True,
        actor=s.organiser,
    )

    assert (saved.statement_de, saved.statement_en) == (
        "Ein Rahmen aus Flachs, 40 % leichter.\nÜberzeugend.",
        "A flax frame, 40 per cent lighter.",
    )
    assert Award.objects.get(pk=s.award.pk).results_changed_at is not None
    (entry,) = presented(s.award)
    assert (entry.actor, entry.object_type, entry.object_id) == (
        s.organiser,
        "awards.category",
        str(s.category.pk),
    )
    assert entry.data["before"] == {"statement_de": "", "statement_en": "", "public": True}
    assert entry.data["after"] == {
        "statement_de": "Ein Rahmen aus Flachs, 40 % leichter.\nÜberzeugend.",
        "statement_en": "A flax frame, 40 per cent lighter.",
        "public": True,
    }
    assert entry.data["submission"] == decision.submission_id


def test_saving_the_same_statement_again_writes_nothing(s):
    decide(s)
    decision = Decision.objects.get(award=s.award)
    for _ in range(2):
        services.decision_present(
            decision=decision, statement_de="Gut", statement_en="", public=True, actor=None
        )

    assert len(presented(s.award)) == 1


@pytest.mark.usefixtures("english")  # the service's messages in English
def test_the_winner_cannot_be_hidden(s):
    decide(s)
    decision = Decision.objects.get(award=s.award)

    with pytest.raises(ValidationError) as caught:
        services.decision_present(
            decision=decision, statement_de="", statement_en="", public=False, actor=s.organiser
        )

    assert caught.value.message_dict == {
        "public": [
            "The winner is always shown on the public results; only other places and special "
            "mentions can be hidden."
        ]
    }
    decision.refresh_from_db()
    assert decision.public is True
    assert presented(s.award) == []


def test_a_second_place_and_a_mention_can_be_hidden(s4):
    decisions = decide_all(s4)

    for key in ("second", "mention"):
        services.decision_present(
            decision=decisions[key], statement_de="", statement_en="", public=False, actor=None
        )

    assert sorted(Decision.objects.filter(public=False).values_list("pk", flat=True)) == sorted(
        [decisions["second"].pk, decisions["mention"].pk]
    )


def test_a_hidden_place_is_left_out_of_the_press_kit_too(s4):
    """The press kit names what the public results show: a hidden place or mention is in
    neither its winners table nor its share images."""
    from results import selectors
    from submissions.models import Submission

    decisions = decide_all(s4)
    Submission.objects.filter(pk__in=[d.submission_id for d in decisions.values()]).update(
        consent_publication=True
    )
    before = {d.pk for d in selectors.press_decisions(s4.award)}
    assert decisions["second"].pk in before

    services.decision_present(
        decision=decisions["second"], statement_de="", statement_en="", public=False, actor=None
    )

    assert {d.pk for d in selectors.press_decisions(s4.award)} == before - {decisions["second"].pk}
    assert selectors.press_decision(s4.award, decisions["second"].pk) is None
    assert selectors.press_decision(s4.award, decisions["winner"].pk) is not None


@pytest.mark.usefixtures("english")  # the service's messages in English
def test_statements_longer_than_1200_characters_are_refused(s):
    decide(s)
    decision = Decision.objects.get(award=s.award)
    # A line break sent as \r\n counts as one character.
    fits = "x" * 1198 + "\r\ny"

    with pytest.raises(ValidationError) as caught:
        services.decision_present(
            decision=decision, statement_de="x" * 1201, statement_en=fits, public=True, actor=None
        )
    services.decision_present(
        decision=decision, statement_de=fits, statement_en=fits, public=True, actor=None
    )

    assert caught.value.message_dict == {
        "statement_de": ["At most 1200 characters; this statement has 1201."]
    }
    decision.refresh_from_db()
    assert len(decision.statement_de) == 1200


def test_a_statement_can_be_corrected_after_publication(s):
    decide(s)
    services.publication_schedule(award=s.award, at=timezone.now(), actor=s.organiser)
    services.results_publish(award_id=s.award.pk, now=timezone.now() + dt.timedelta(seconds=1))
    decision = Decision.objects.get(award=s.award)
    assert Award.objects.get(pk=s.award.pk).status == "published"

    services.decision_present(
        decision=decision, statement_de="Korrigiert", statement_en="", public=True, actor=None
    )

    decision.refresh_from_db()
    assert decision.statement_de == "Korrigiert"


# --- The organisers' page ----------------------------------------------------------------


def test_organiser_writes_the_statement_on_the_page(organiser4, s4):
    decisions = decide_all(s4)
    page_url = statement_url(s4.award, decisions["second"])

    page = organiser4.get(page_url)
    response = organiser4.post(
        page_url, {"statement_de": "Sehr leicht.", "statement_en": "Very light."}
    )

    assert page.status_code == 200
    assert "Second place" in text(page)
    assert s4.submissions[1].title in text(page)
    assert response.status_code == 302
    assert response.url == url(s4.award, "publication") + "#distinctions-title"
    decision = Decision.objects.get(pk=decisions["second"].pk)
    # Unticked: the second place is left off the public results.
    assert (decision.statement_de, decision.statement_en, decision.public) == (
        "Sehr leicht.",
        "Very light.",
        False,
    )


def test_the_winners_box_is_fixed_and_the_winner_stays_public(organiser, s):
    decide(s)
    decision = Decision.objects.get(award=s.award)

    page = organiser.get(statement_url(s.award, decision))
    response = organiser.post(
        statement_url(s.award, decision), {"statement_de": "Gut", "statement_en": "Good"}
    )

    assert "The winner is always shown on the public results." in text(page)
    assert 'name="public"' in text(page) and "disabled" in text(page).split('name="public"')[1][:80]
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.statement_de, decision.public) == ("Gut", True)


def test_a_too_long_statement_is_refused_at_its_field_and_nothing_is_lost(organiser, s):
    decide(s)
    decision = Decision.objects.get(award=s.award)
    long = "Ä" * 1201

    response = organiser.post(
        statement_url(s.award, decision),
        {"statement_de": long, "statement_en": "Kept <b>as typed</b>", "public": "on"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "statement_de": ["At most 1200 characters; this statement has 1201."]
    }
    page = text(response)
    assert long in page
    assert "Kept &lt;b&gt;as typed&lt;/b&gt;" in page
    decision.refresh_from_db()
    assert decision.statement_de == ""


def test_the_page_is_a_404_for_everyone_else(client, s):
    decide(s)
    decision = Decision.objects.get(award=s.award)
    elsewhere = AwardFactory(slug="elsewhere", edition=2029)
    organiser_elsewhere = UserFactory(preferred_language="en")
    AwardRoleFactory(award=elsewhere, user=organiser_elsewhere)
    codes = []
    for user in (
        UserFactory(preferred_language="en"),
        organiser_elsewhere,
        s.jurors[0].user,
        s.chair.user,
    ):
        client.force_login(user)
        codes.append(client.get(statement_url(s.award, decision)).status_code)
        codes.append(
            client.post(
                statement_url(s.award, decision), {"statement_de": "Hack", "statement_en": ""}
            ).status_code
        )

    assert codes == [404] * 8
    decision.refresh_from_db()
    assert decision.statement_de == ""


def test_a_decision_of_another_award_is_a_404(organiser, s):
    other = scored()
    decide(other)
    foreign = Decision.objects.get(award=other.award)

    response = organiser.get(url(s.award, "decision_statement", pk=foreign.pk))

    assert response.status_code == 404


def test_the_change_log_names_the_change(organiser, s):
    decide(s)
    decision = Decision.objects.get(award=s.award)
    organiser.post(statement_url(s.award, decision), {"statement_de": "Gut", "statement_en": ""})

    page = organiser.get(reverse("awards:audit", kwargs={"slug": s.award.slug}))

    assert "Jury statement or visibility changed" in text(page)
    assert "Jury statement (German)" in text(page)


def test_the_ranking_page_links_each_distinction_to_its_statement(organiser, s):
    decide(s)
    decision = Decision.objects.get(award=s.award)

    page = organiser.get(category_url(s.award, s.category))

    assert statement_url(s.award, decision) in text(page)
    assert "Write the jury statement" in text(page)


# --- The publication page ----------------------------------------------------------------


def test_the_publication_page_lists_the_distinctions_with_their_statement(organiser4, s4):
    decisions = decide_all(s4)
    services.decision_present(
        decision=decisions["winner"],
        statement_de="Gut",
        statement_en="Good",
        public=True,
        actor=None,
    )
    services.decision_present(
        decision=decisions["second"], statement_de="Gut", statement_en="", public=False, actor=None
    )

    page = text(organiser4.get(url(s4.award, "publication")))

    winner = page.split(f'data-testid="distinction-{decisions["winner"].pk}"')[1].split("</li>")[0]
    second = page.split(f'data-testid="distinction-{decisions["second"].pk}"')[1].split("</li>")[0]
    mention = page.split(f'data-testid="distinction-{decisions["mention"].pk}"')[1].split("</li>")[
        0
    ]
    assert "statement in German and English" in winner and "not shown publicly" not in winner
    assert "statement in German only" in second and "not shown publicly" in second
    assert "no statement" in mention and "Special mention" in mention
    assert statement_url(s4.award, decisions["mention"]) in mention


def test_the_publication_page_runs_a_fixed_number_of_queries(organiser4, s4):
    decide(s4)
    organiser4.get(url(s4.award, "publication"))
    with CaptureQueriesContext(connection) as one:
        organiser4.get(url(s4.award, "publication"))
    services.decision_reopen(award=s4.award, category=s4.category, reason="More", actor=None)
    decide_all(s4)
    organiser4.get(url(s4.award, "publication"))  # the changed award is read again, once
    with CaptureQueriesContext(connection) as four:
        organiser4.get(url(s4.award, "publication"))

    assert len(one) == len(four)


def test_the_statement_page_runs_a_fixed_number_of_queries(
    organiser, s, django_assert_max_num_queries
):
    decide(s)
    decision = Decision.objects.get(award=s.award)
    organiser.get(statement_url(s.award, decision))

    with django_assert_max_num_queries(12):
        organiser.get(statement_url(s.award, decision))


# --- The snippet for other websites -------------------------------------------------------


def embed_path(award) -> str | None:
    try:
        return reverse("results:embed", args=[award.slug])
    except NoReverseMatch:
        return None


def test_the_publication_page_offers_the_embed_snippet(organiser, s):
    decide(s)
    Award.objects.filter(pk=s.award.pk).update(name='Leicht & "bau"')
    path = embed_path(s.award)
    if path is None:
        pytest.skip("results:embed does not exist yet")

    response = organiser.get(url(s.award, "publication"))

    snippet = response.context["embed_snippet"]
    assert snippet.startswith(
        f'<iframe src="http://testserver{path}" title="Leicht &amp; &quot;bau&quot; '
    )
    assert snippet.endswith('width="100%" height="600" style="border:0"></iframe>')
    page = text(response)
    assert escape(snippet) in page
    assert 'data-copy-target="embed-snippet"' in page
    assert "js/copy.js" in page
    assert "<script>" not in page


def test_the_publication_page_lists_the_allowed_websites(organiser, s):
    page = text(organiser.get(url(s.award, "publication")))
    assert "No website may embed the winners yet" in page
    assert reverse("awards:settings", kwargs={"slug": s.award.slug}) + "#id_embed_origins" in page

    Award.objects.filter(pk=s.award.pk).update(
        embed_origins="https://www.example.org\nhttps://partner.example.com"
    )
    page = text(organiser.get(url(s.award, "publication")))

    assert "No website may embed the winners yet" not in page
    assert '<li class="text-break">https://www.example.org</li>' in page
    assert '<li class="text-break">https://partner.example.com</li>' in page
