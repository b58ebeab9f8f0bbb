"""The outbox (/manage/<slug>/messages/): counts per status of this award only, a row per
message, filters, pages of 50, a fixed number of queries, one message with its HTML only in a
sandbox, and retrying failed messages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards.models import Award
from notifications.models import Message
from tests.factories import AwardFactory
from tests.notifications.helpers import make_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def award():
    return AwardFactory(name="Lightweight Innovation Award", edition=2027, slug="lia-2027")


# --- outbox -----------------------------------------------------------------------------


def outbox_url(award: Award, query: str = "") -> str:
    url = reverse("notifications:outbox", kwargs={"slug": award.slug})
    return f"{url}?{query}" if query else url


def listed(response) -> list[str]:
    return [message.recipient_email for message in response.context["page"].object_list]


def test_outbox_counts_messages_per_status_of_this_award_only(
    client, award, other_award, organiser
):
    for status, n in (("pending", 2), ("sent", 3), ("failed", 1)):
        for _ in range(n):
            make_message(award, status=status)
    make_message(other_award, status="sent")
    client.force_login(organiser)

    response = client.get(outbox_url(award))

    assert [(status.value, n) for status, n in response.context["counts"]] == [
        ("pending", 2),
        ("sending", 0),
        ("sent", 3),
        ("failed", 1),
    ]
    assert response.context["page"].paginator.count == 6
    assert 'data-count="sent">3</strong>' in response.content.decode()


def test_outbox_shows_a_row_per_message(client, award, organiser):
    message = make_message(
        award,
        recipient_email="erika@example.org",
        status="failed",
        attempts=3,
        last_error="SMTPRecipientsRefused: " + "x" * 200,
    )
    client.force_login(organiser)

    html = client.get(outbox_url(award)).content.decode()

    detail = reverse("notifications:message", kwargs={"slug": award.slug, "pk": message.pk})
    assert f'href="{detail}"' in html
    assert '<td class="text-nowrap">erika@example.org</td>' in html
    assert "<td>Confirmation of a submission</td>" in html
    assert 'data-status="failed">Failed</span>' in html
    assert '<td class="text-end">3</td>' in html
    assert f">SMTPRecipientsRefused: {'x' * 36}…</td>" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=failed", ["failed@example.org"]),
        ("template=juror.invited", ["juror@example.org"]),
        ("recipient=JUROR@", ["juror@example.org"]),
        ("status=sent&template=juror.invited", []),
        ("status=bogus", ["juror@example.org", "failed@example.org", "sent@example.org"]),
    ],
)
def test_outbox_filters(client, award, organiser, query, expected):
    make_message(award, recipient_email="sent@example.org", status="sent")
    make_message(award, recipient_email="failed@example.org", status="failed")
    make_message(award, recipient_email="juror@example.org", template_key="juror.invited")
    client.force_login(organiser)

    response = client.get(outbox_url(award, query))

    assert response.status_code == 200
    assert listed(response) == expected


def test_outbox_shows_50_messages_per_page_and_keeps_the_filter(client, award, organiser):
    for _ in range(60):
        make_message(award, status="failed")
    make_message(award, status="sent")
    client.force_login(organiser)

    first = client.get(outbox_url(award, "status=failed"))
    second = client.get(outbox_url(award, "status=failed&page=2"))

    assert (len(listed(first)), len(listed(second))) == (50, 10)
    assert 'href="?status=failed&amp;page=2"' in first.content.decode()
    assert set(listed(first)).isdisjoint(listed(second))


def test_outbox_needs_the_same_number_of_queries_for_3_and_60_messages(client, award, organiser):
    client.force_login(organiser)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(outbox_url(award))
        assert response.status_code == 200
        return len(captured)

    for _ in range(3):
        make_message(award)
    queries()  # the navigation's lists settle in the cache
    few = queries()
    for _ in range(57):
        make_message(award)
    many = queries()

    assert few == many


def test_message_detail_shows_the_facts_and_the_html_only_in_a_sandbox(client, award, organiser):
    message = make_message(
        award,
        subject="Your entry LIA-2027-MOB-0007 has been received",
        recipient_email="erika@example.org",
        status="failed",
        attempts=2,
        last_error="SMTPDataError: 554 rejected",
        provider_message_id="<abc123@laurel.example>",
        body_text="Dear Erika,\n\n<b>thank you</b>.",
        body_html='<p>Dear Erika</p><script>alert("x")</script>',
    )
    client.force_login(organiser)

    response = client.get(
        reverse("notifications:message", kwargs={"slug": award.slug, "pk": message.pk})
    )

    html = response.content.decode()
    assert '<h1 class="h2">Your entry LIA-2027-MOB-0007 has been received</h1>' in html
    assert '<code class="text-break">&lt;abc123@laurel.example&gt;</code>' in html
    assert "SMTPDataError: 554 rejected</pre>" in html
    assert (
        '<pre class="border rounded p-3 bg-body-tertiary pre-wrap" data-testid="body-text">'
        "Dear Erika,\n\n&lt;b&gt;thank you&lt;/b&gt;.</pre>"
    ) in html
    assert (
        'sandbox title="HTML version" srcdoc="&lt;p&gt;Dear Erika&lt;/p&gt;&lt;script&gt;'
        'alert(&quot;x&quot;)&lt;/script&gt;"' in html
    )
    assert "<script>alert" not in html


def test_message_of_another_award_gets_404(client, award, other_award, organiser):
    foreign = make_message(other_award)
    client.force_login(organiser)

    response = client.get(
        reverse("notifications:message", kwargs={"slug": award.slug, "pk": foreign.pk})
    )

    assert response.status_code == 404


def test_retry_failed_messages_queues_them_again(client, award, other_award, organiser):
    failed = [make_message(award, status="failed", attempts=8) for _ in range(2)]
    sent = make_message(award, status="sent", attempts=1)
    foreign = make_message(other_award, status="failed", attempts=8)
    client.force_login(organiser)

    response = client.post(reverse("notifications:retry", kwargs={"slug": award.slug}), follow=True)

    assert response.redirect_chain == [(outbox_url(award), 302)]
    assert "2 failed messages will be sent again." in response.content.decode()
    assert sorted(Message.objects.values_list("pk", "status", "attempts")) == sorted(
        [
            (failed[0].pk, "pending", 0),
            (failed[1].pk, "pending", 0),
            (sent.pk, "sent", 1),
            (foreign.pk, "failed", 8),
        ]
    )


def test_retry_without_failed_messages_says_so(client, award, organiser):
    client.force_login(organiser)

    response = client.post(reverse("notifications:retry", kwargs={"slug": award.slug}), follow=True)

    assert "There are no failed messages." in response.content.decode()


def test_outbox_get_cannot_retry(client, award, organiser):
    message = make_message(award, status="failed")
    client.force_login(organiser)

    response = client.get(reverse("notifications:retry", kwargs={"slug": award.slug}))

    assert response.status_code == 405
    message.refresh_from_db()
    assert message.status == "failed"
