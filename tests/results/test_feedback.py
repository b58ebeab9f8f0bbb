"""The jury's feedback to the applicants: the organisers review it (approve, edit, withhold),
release it with the results or later, and each company reads only its own entry's approved
texts, signed "Juror A/B/C" — never before the release, never a withheld text, never another
entry's scores."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from awards.models import AuditEntry
from jury import services as jury_services
from jury.models import Review, RoundEntry
from notifications.models import Message
from results import services
from results.models import FeedbackItem, FeedbackRelease
from results.selectors.feedback import applicant_feedback, feedback_counts, juror_letter
from results.services.feedback import (
    feedback_release_due,
    feedback_release_scheduled,
)
from tests.factories import (
    AwardRoleFactory,
    MembershipFactory,
    RoundFactory,
    UserFactory,
    judging_setup,
)

pytestmark = pytest.mark.django_db

# Scores (criterion 1, criterion 2) per juror and entry: a is best, d is last.
SCORES = {"a": (9, 8), "b": (7, 7), "c": (5, 6), "d": (2, 3)}


def feedback_scene(*, entries: int = 4, jurors: int = 3) -> SimpleNamespace:
    """An award collecting feedback, every entry scored by every juror through the real
    services, each juror writing feedback (juror 3 writes none on entry b), the round
    closed and entry a the winner, not yet published. Each entry's company has a German
    and an English member."""
    s = judging_setup(entries=entries, jurors=jurors, criteria=2, k=jurors)
    s.award.applicant_feedback = True
    s.award.ranking_normalisation = "raw"
    s.award.save()
    s.round.refresh_from_db()
    names = "abcdefghij"[:entries]
    s.entry = dict(zip(names, s.submissions, strict=True))
    s.members = {}
    for name, entry in s.entry.items():
        entry.title = f"Entry {name.upper()}"
        entry.save()
        english = UserFactory(preferred_language="en", full_name=f"Erin {name}")
        MembershipFactory(organisation=entry.organisation, user=english)
        s.members[name] = (entry.created_by, english)
    s.reviews = {}
    for j, juror in enumerate(s.jurors, start=1):
        for name, entry in s.entry.items():
            assignment = jury_services.assignment_add(
                round=s.round, juror=juror, submission=entry, actor=s.organiser
            )
            first, second = SCORES.get(name, (4, 4))
            text = "" if (j == 3 and name == "b") else f"Juror {j} thinks entry {name} is solid."
            s.reviews[j, name] = jury_services.review_save(
                assignment=assignment,
                actor=juror.user,
                version=0,
                scores={s.criteria[0].pk: first, s.criteria[1].pk: second},
                applicant_feedback=text,
                submit=True,
            )
    jury_services.round_close(round=s.round, actor=s.organiser)
    services.decision_confirm(
        award=s.award,
        category=s.category,
        choice=services.Choice(places=[s.entry["a"].pk]),
        justification="The best.",
        actor=s.organiser,
    )
    s.award.refresh_from_db()
    return s


def publish(s) -> None:
    services.publication_schedule(award=s.award, at=timezone.now(), actor=s.organiser)
    assert services.results_publish(award_id=s.award.pk) is True
    s.award.refresh_from_db()


def approve(s, juror: int, name: str, text: str | None = None):
    return services.feedback_review(
        review=s.reviews[juror, name], actor=s.organiser, status="approved", text=text
    )


def withhold(s, juror: int, name: str):
    return services.feedback_review(
        review=s.reviews[juror, name], actor=s.organiser, status="withheld"
    )


def entry_page(user, entry, language="en") -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    response = client.get(reverse("submissions:detail", args=[entry.pk]))
    assert response.status_code == 200
    return response.content.decode()


def feedback_mails() -> list[tuple[str, str]]:
    return sorted(
        Message.objects.filter(template_key="result.feedback").values_list(
            "recipient_email", "context__submission_title"
        )
    )


@pytest.fixture
def s():
    return feedback_scene()


# --- What reaches the applicant -------------------------------------------------------------


def test_nothing_reaches_an_applicant_before_the_release(s):
    approve(s, 1, "b")
    FeedbackRelease.objects.create(award=s.award, with_results=False)
    publish(s)  # the results are out, the feedback is not

    applicant = s.members["b"][1]
    assert "Juror 1 thinks" not in entry_page(applicant, s.entry["b"])
    assert applicant_feedback([s.entry["b"]]) == {}
    assert feedback_mails() == []


def test_released_with_the_results_the_company_reads_its_approved_texts_anonymously(s):
    approve(s, 1, "b")
    approve(s, 2, "b")
    publish(s)

    page = entry_page(s.members["b"][1], s.entry["b"])
    assert "Juror 1 thinks entry b is solid." in page
    assert "Juror 2 thinks entry b is solid." in page
    # Signed with letters, never with a juror's name.
    assert "Juror A" in page and "Juror B" in page
    for juror in s.jurors:
        assert juror.user.full_name not in page
    # Another entry's texts are not on it.
    assert "entry a" not in page
    assert FeedbackRelease.objects.get(award=s.award).released_at is not None


def test_texts_nobody_reviewed_or_that_were_withheld_never_reach_the_applicant(s):
    approve(s, 1, "c")
    withhold(s, 2, "c")  # juror 3's text on c is not reviewed
    publish(s)

    page = entry_page(s.members["c"][0], s.entry["c"], "de")
    assert "Juror 1 thinks entry c is solid." in page
    assert "Juror 2 thinks" not in page
    assert "Juror 3 thinks" not in page


def test_letters_are_stable_per_entry_whatever_is_withheld(s):
    withhold(s, 1, "a")
    approve(s, 2, "a")
    approve(s, 3, "a")
    publish(s)

    texts = applicant_feedback([s.entry["a"]])[s.entry["a"].pk].texts
    # Juror 1 was assigned first: it stays A, withheld, and the others keep B and C.
    assert texts == [
        ("B", "Juror 2 thinks entry a is solid."),
        ("C", "Juror 3 thinks entry a is solid."),
    ]


def test_one_mail_per_member_of_each_company_with_something_to_read_in_their_language(s):
    approve(s, 1, "b")
    approve(s, 2, "b")
    approve(s, 1, "c")
    publish(s)

    german, english = s.members["b"]
    assert feedback_mails() == sorted(
        [
            (german.email, "Entry B"),
            (english.email, "Entry B"),
            (s.members["c"][0].email, "Entry C"),
            (s.members["c"][1].email, "Entry C"),
        ]
    )
    assert Message.objects.get(
        template_key="result.feedback", recipient_email=german.email
    ).subject.endswith("Rückmeldung der Jury zu Ihrer Einreichung")
    assert "feedback on your entry" in (
        Message.objects.get(template_key="result.feedback", recipient_email=english.email).subject
    )
    # After the release: another text of B mails nobody again; the first one of D (and of
    # A) does, once.
    approve(s, 3, "b" if s.reviews[3, "b"].applicant_feedback else "c")
    approve(s, 2, "c")
    approve(s, 2, "d")
    approve(s, 3, "a")
    assert len(feedback_mails()) == 4 + 2 + 2


def test_an_edit_is_what_the_applicant_reads_and_the_original_stays_in_the_log(s):
    approve(s, 1, "d", text="Clear idea; the cost estimate needs evidence.")
    publish(s)

    page = entry_page(s.members["d"][0], s.entry["d"])
    assert "Clear idea; the cost estimate needs evidence." in page
    assert "Juror 1 thinks entry d is solid." not in page
    entry = AuditEntry.objects.filter(action="feedback.reviewed").last()
    assert entry.data["juror_text"] == "Juror 1 thinks entry d is solid."
    assert entry.data["approved_text"] == "Clear idea; the cost estimate needs evidence."

    # After the release: the change is logged and shown at once.
    approve(s, 1, "d", text="Clear idea; please add evidence for the cost estimate.")
    assert "please add evidence" in entry_page(s.members["d"][0], s.entry["d"])
    last = AuditEntry.objects.filter(action="feedback.reviewed").last()
    assert last.data["before"]["text"] == "Clear idea; the cost estimate needs evidence."


def test_a_juror_changing_an_approved_text_does_not_change_what_the_applicant_reads(s):
    approve(s, 1, "c")
    Review.objects.filter(pk=s.reviews[1, "c"].pk).update(
        applicant_feedback="Something the organisers have not seen."
    )
    publish(s)

    page = entry_page(s.members["c"][0], s.entry["c"])
    assert "Juror 1 thinks entry c is solid." in page
    assert "Something the organisers have not seen." not in page
    # The organisers' list says so.
    assert feedback_counts(s.award).changed == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Approved feedback cannot be empty: withhold it instead."),
        ("x" * 5001, "Feedback can be at most 5000 characters long."),
    ],
)
def test_an_empty_or_overlong_edit_is_refused(s, text, message):
    with translation.override("en"), pytest.raises(services.FeedbackError) as caught:
        approve(s, 1, "a", text=text)
    assert caught.value.messages == [message]
    assert not FeedbackItem.objects.exists()


def test_a_review_without_feedback_cannot_be_approved(s):
    with pytest.raises(services.FeedbackError):
        approve(s, 3, "b")


# --- What comes with it -----------------------------------------------------------------------


def test_criterion_averages_compare_the_entry_with_its_category_only():
    s = feedback_scene(entries=5)  # a, b, c, d and e (4 and 4)
    approve(s, 1, "c")
    FeedbackRelease.objects.create(award=s.award, disclosure="criteria")
    publish(s)

    found = applicant_feedback([s.entry["c"]])[s.entry["c"].pk]
    first, second = found.criteria
    assert (first.entry, second.entry) == (5.0, 6.0)
    # The category: every entry scored alike by every juror.
    assert first.category == pytest.approx((9 + 7 + 5 + 2 + 4) / 5)
    assert second.category == pytest.approx((8 + 7 + 6 + 3 + 4) / 5)
    page = entry_page(s.members["c"][0], s.entry["c"])
    assert 'data-testid="feedback-criteria"' in page
    # No other entry's own average is shown.
    assert ">9.0<" not in page and ">2.0<" not in page


def test_a_category_too_small_to_hide_one_entry_shows_no_averages():
    """With two entries, the other's average would follow from one's own and the
    category's: below five scored entries the chart is left out (the texts stay)."""
    s = feedback_scene(entries=4)
    approve(s, 1, "c")
    FeedbackRelease.objects.create(award=s.award, disclosure="criteria")
    publish(s)

    found = applicant_feedback([s.entry["c"]])[s.entry["c"].pk]
    assert found.criteria == []
    assert found.texts == [("A", "Juror 1 thinks entry c is solid.")]
    assert 'data-testid="feedback-criteria"' not in entry_page(s.members["c"][0], s.entry["c"])


def test_nobody_is_mailed_about_a_page_with_nothing_to_read(s):
    """Bands are named for the better half only. Of four entries, a (top 25 %) and b (top
    half) have a band; c and d have none, and no approved text (d's are withheld): their
    companies get no mail, and their pages no block."""
    for juror in (1, 2, 3):
        withhold(s, juror, "d")
    FeedbackRelease.objects.create(award=s.award, disclosure="band")
    publish(s)

    found = applicant_feedback(list(s.entry.values()))
    assert {n for n in "abcd" if not found[s.entry[n].pk].empty} == {"a", "b"}
    assert {title for _email, title in feedback_mails()} == {"Entry A", "Entry B"}
    assert 'data-testid="jury-feedback"' not in entry_page(s.members["d"][0], s.entry["d"])


def test_choosing_with_the_results_after_they_are_out_releases_at_once(s):
    FeedbackRelease.objects.create(award=s.award, with_results=False)
    approve(s, 1, "a")
    publish(s)
    assert FeedbackRelease.objects.get(award=s.award).released_at is None

    services.feedback_settings_save(
        award=s.award, actor=s.organiser, disclosure="texts", with_results=True, release_at=None
    )

    assert FeedbackRelease.objects.get(award=s.award).released_at is not None
    assert len(feedback_mails()) == 2


def test_the_band_names_the_entrys_place_in_the_ranking_without_scores():
    s = feedback_scene(entries=8)
    FeedbackRelease.objects.create(award=s.award, disclosure="band")
    publish(s)

    found = applicant_feedback(list(s.entry.values()))
    # a is first of 8 (top 12.5 % → top 25 %), b second (25 %), c third, then the rest tied.
    assert found[s.entry["a"].pk].band == "top25"
    assert found[s.entry["b"].pk].band == "top25"
    assert found[s.entry["c"].pk].band == "top50"
    assert found[s.entry["c"].pk].criteria == []
    page = entry_page(s.members["b"][0], s.entry["b"])
    assert 'data-band="top25"' in page


def test_an_entry_in_a_later_round_is_a_finalist(s):
    final = RoundFactory(award=s.award, number=2, method="ranking", status="closed")
    RoundEntry.objects.create(round=final, submission=s.entry["d"])
    FeedbackRelease.objects.create(award=s.award, disclosure="band")
    publish(s)

    assert applicant_feedback([s.entry["d"]])[s.entry["d"].pk].band == "finalist"


# --- When ----------------------------------------------------------------------------------


def test_a_later_release_happens_at_its_moment_once(s):
    at = timezone.now() + dt.timedelta(hours=2)
    services.feedback_settings_save(
        award=s.award, actor=s.organiser, disclosure="texts", with_results=False, release_at=at
    )
    publish(s)
    approve(s, 1, "a")

    early, late = at - dt.timedelta(seconds=1), at + dt.timedelta(seconds=3)
    assert feedback_release_scheduled(award_id=s.award.pk, now=early) is False
    assert feedback_mails() == []
    assert feedback_release_due(now=at + dt.timedelta(seconds=1)) == 1
    assert feedback_release_due(now=at + dt.timedelta(seconds=2)) == 0
    assert feedback_release_scheduled(award_id=s.award.pk, now=late) is False
    assert len(feedback_mails()) == 2
    assert AuditEntry.objects.filter(action="feedback.released").count() == 1


def test_a_moment_in_the_past_is_refused_at_its_field(s):
    with translation.override("en"), pytest.raises(services.FeedbackError) as caught:
        services.feedback_settings_save(
            award=s.award,
            actor=s.organiser,
            disclosure="texts",
            with_results=False,
            release_at=timezone.now() - dt.timedelta(minutes=1),
        )
    assert caught.value.message_dict == {
        "release_at": ["Choose a moment in the future, or release the feedback now."]
    }


def test_release_now_waits_for_the_public_results_and_happens_once(s):
    approve(s, 1, "a")
    FeedbackRelease.objects.create(award=s.award, with_results=False)
    with translation.override("en"), pytest.raises(services.FeedbackError) as caught:
        services.feedback_release_now(award=s.award, actor=s.organiser)
    assert caught.value.messages == ["The feedback can be released once the results are public."]

    publish(s)
    assert services.feedback_release_now(award=s.award, actor=s.organiser) == 2
    with pytest.raises(services.FeedbackError):
        services.feedback_release_now(award=s.award, actor=s.organiser)
    assert len(feedback_mails()) == 2


def test_approving_every_pending_text_leaves_reviewed_ones_alone(s):
    withhold(s, 1, "a")
    approve(s, 2, "a", text="Edited.")
    count = services.feedback_approve_pending(award=s.award, actor=s.organiser)

    # 3 jurors × 4 entries, minus juror 3 on b (no text), minus the two reviewed.
    assert count == 12 - 1 - 2
    assert FeedbackItem.objects.get(review=s.reviews[1, "a"]).status == "withheld"
    assert FeedbackItem.objects.get(review=s.reviews[2, "a"]).text == "Edited."


def test_juror_letters_go_past_z():
    assert [juror_letter(i) for i in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]


# --- The organisers' pages -----------------------------------------------------------------


def organiser_client(s, language="en") -> Client:
    s.organiser.preferred_language = language
    s.organiser.save(update_fields=["preferred_language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(s.organiser)
    return client


def urls(s) -> list[tuple[str, str]]:
    slug = s.award.slug
    return [
        ("get", reverse("results_manage:feedback", args=[slug])),
        ("get", reverse("results_manage:feedback_entry", args=[slug, s.entry["a"].pk])),
        ("get", reverse("results_manage:feedback_approve_pending", args=[slug])),
        ("get", reverse("results_manage:feedback_release", args=[slug])),
        ("post", reverse("results_manage:feedback_review", args=[slug, s.reviews[1, "a"].pk])),
        ("post", reverse("results_manage:feedback_approve_pending", args=[slug])),
        ("post", reverse("results_manage:feedback_release", args=[slug])),
    ]


@pytest.mark.parametrize("who", ["other_organiser", "juror", "applicant"])
def test_nobody_but_the_awards_organisers_reaches_the_feedback_pages(s, who):
    user = {
        "other_organiser": lambda: AwardRoleFactory(role="organiser").user,
        "juror": lambda: s.jurors[0].user,
        "applicant": lambda: s.members["a"][0],
    }[who]()
    client = Client()
    client.force_login(user)
    for method, url in urls(s):
        data = {"action": "approve", "confirm": "on"} if method == "post" else None
        assert getattr(client, method)(url, data).status_code == 404, url
    assert not FeedbackItem.objects.exists()
    assert FeedbackRelease.objects.filter(released_at__isnull=False).count() == 0


def test_anonymous_visitors_are_sent_to_the_login(s):
    for method, url in urls(s):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_pages_do_not_exist_for_an_award_without_feedback(s):
    s.award.applicant_feedback = False
    s.award.save()
    client = organiser_client(s)
    for method, url in urls(s):
        assert getattr(client, method)(url, {"confirm": "on"}).status_code == 404


def test_a_review_of_another_award_is_not_found(s):
    other = feedback_scene(entries=2, jurors=2)
    client = organiser_client(s)
    url = reverse("results_manage:feedback_review", args=[s.award.slug, other.reviews[1, "a"].pk])
    assert client.post(url, {"action": "approve"}).status_code == 404
    assert not FeedbackItem.objects.exists()


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_organisers_page_lists_the_texts_and_approves_from_the_list(s, language):
    client = organiser_client(s, language)
    page = client.get(reverse("results_manage:feedback", args=[s.award.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Juror 1 thinks entry a is solid." in html
    heading = (
        "Rückmeldungen an die Bewerberinnen und Bewerber"
        if language == "de"
        else ("Feedback to the applicants")
    )
    assert heading in html

    url = reverse("results_manage:feedback_review", args=[s.award.slug, s.reviews[2, "c"].pk])
    response = client.post(url, {"action": "approve", "next": "/evil.example/"})
    assert response.status_code == 302
    assert FeedbackItem.objects.get(review=s.reviews[2, "c"]).status == "approved"


def test_an_edit_from_the_entry_page_is_kept_and_an_empty_one_refused(s):
    client = organiser_client(s)
    url = reverse("results_manage:feedback_review", args=[s.award.slug, s.reviews[1, "b"].pk])
    back = reverse("results_manage:feedback_entry", args=[s.award.slug, s.entry["b"].pk])

    response = client.post(url, {"action": "approve", "text": "  ", "next": back}, follow=True)
    assert "Approved feedback cannot be empty" in response.content.decode()
    assert not FeedbackItem.objects.exists()

    client.post(url, {"action": "approve", "text": "Shorter, kinder.", "next": back})
    item = FeedbackItem.objects.get(review=s.reviews[1, "b"])
    assert (item.status, item.text, item.edited) == ("approved", "Shorter, kinder.", True)


def test_mass_approval_and_release_need_a_confirmation(s):
    client = organiser_client(s)
    slug = s.award.slug
    response = client.post(reverse("results_manage:feedback_approve_pending", args=[slug]))
    assert response.status_code == 200  # the confirmation page again
    assert not FeedbackItem.objects.exists()
    client.post(reverse("results_manage:feedback_approve_pending", args=[slug]), {"confirm": "on"})
    assert FeedbackItem.objects.filter(status="approved").count() == 11

    FeedbackRelease.objects.create(award=s.award, with_results=False)
    publish(s)
    client.post(reverse("results_manage:feedback_release", args=[slug]))
    assert FeedbackRelease.objects.get(award=s.award).released_at is None
    client.post(reverse("results_manage:feedback_release", args=[slug]), {"confirm": "on"})
    assert FeedbackRelease.objects.get(award=s.award).released_at is not None


def test_the_settings_form_says_what_is_wrong_and_keeps_the_input(s):
    client = organiser_client(s)
    url = reverse("results_manage:feedback", args=[s.award.slug])
    response = client.post(
        url, {"disclosure": "band", "timing": "later", "release_at": "2020-01-01T10:00"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a moment in the future" in html
    assert re.search(r'value="band"[^>]*checked', html)


def test_the_list_runs_a_fixed_number_of_queries():
    counts = []
    for scene in (feedback_scene(entries=2, jurors=2), feedback_scene(entries=6, jurors=3)):
        client = organiser_client(scene)
        url = reverse("results_manage:feedback", args=[scene.award.slug])
        client.get(url)  # the session's first request does more
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_applicants_pages_run_a_fixed_number_of_queries(s):
    services.feedback_approve_pending(award=s.award, actor=s.organiser)
    FeedbackRelease.objects.filter(award=s.award).update(disclosure="criteria")
    publish(s)
    # One person, member of the companies of one and then of all four entries.
    person = s.members["a"][0]
    client = Client()
    client.force_login(person)
    client.get(reverse("submissions:dashboard"))  # the session's first request does more
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("submissions:dashboard"))
    for name in "bcd":
        MembershipFactory(organisation=s.entry[name].organisation, user=person)
    with CaptureQueriesContext(connection) as four:
        page = client.get(reverse("submissions:dashboard")).content.decode()
    assert page.count('data-testid="feedback-link"') == 4
    assert len(four) == len(one), [q["sql"][:150] for q in four.captured_queries]
