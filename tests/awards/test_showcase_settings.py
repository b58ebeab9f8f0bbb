"""The settings of issue #14 on the award's settings page (/manage/<slug>/settings/): a
comment per criterion and feedback to the applicants (in the jury's section), and the
websites that may embed the winners (checked line by line, stored normalised, read by
``Award.embed_origin_list`` for the widget's frame-ancestors)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from awards import services
from awards.models import AuditEntry, Award, embed_origins_parse
from tests.awards.helpers import actions
from tests.awards.test_settings_views import settings_data
from tests.factories import AwardFactory, AwardRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def settings_url(award: Award) -> str:
    return reverse("awards:settings", kwargs={"slug": award.slug})


def fieldsets(html: str) -> dict[str, str]:
    """Each section of the form by its legend."""
    return {
        legend.strip(): body
        for legend, body in re.findall(r"<legend[^>]*>(.*?)</legend>(.*?)</fieldset>", html, re.S)
    }


def test_the_page_shows_the_new_settings_in_their_sections(client, award, organiser):
    client.force_login(organiser)

    sections = fieldsets(client.get(settings_url(award)).content.decode())

    assert 'name="criterion_comments"' in sections["Jury"]
    assert 'name="applicant_feedback"' in sections["Jury"]
    assert (
        "Jurors may comment on each criterion, besides their overall comment." in (sections["Jury"])
    )
    assert "it reaches the applicants only once you release it." in sections["Jury"]
    assert 'name="embed_origins"' in sections["Publication on other websites"]


def test_organiser_changes_the_jury_settings(client, award, organiser):
    client.force_login(organiser)
    data = settings_data(award)
    data.pop("criterion_comments")
    data["applicant_feedback"] = "on"

    response = client.post(settings_url(award), data)

    assert response.status_code == 302
    award.refresh_from_db()
    assert (award.criterion_comments, award.applicant_feedback) == (False, True)
    entry = AuditEntry.objects.get(award=award)
    assert entry.data["changes"] == {
        "criterion_comments": {"before": True, "after": False},
        "applicant_feedback": {"before": False, "after": True},
    }


def test_embed_origins_are_stored_normalised(client, award, organiser):
    client.force_login(organiser)
    lines = (
        "  https://WWW.Example.org/ \r\n\r\nhttps://www.example.org\r\n"
        "https://partner.example.com:8443\r\nhttp://localhost:8000\r\n"
        "https://www.example.org:443\r\n"
    )

    response = client.post(settings_url(award), settings_data(award, embed_origins=lines))

    assert response.status_code == 302
    award.refresh_from_db()
    assert award.embed_origins == (
        "https://www.example.org\nhttps://partner.example.com:8443\nhttp://localhost:8000"
    )
    assert award.embed_origin_list == [
        "https://www.example.org",
        "https://partner.example.com:8443",
        "http://localhost:8000",
    ]
    assert actions(award) == ["award.updated"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "http://www.example.org",
            "“http://www.example.org”: use https://; http:// is only allowed for localhost "
            "and 127.0.0.1.",
        ),
        (
            "https://www.example.org/news",
            "“https://www.example.org/news”: give only the website, without a path, query or "
            "fragment, e.g. https://www.example.org.",
        ),
        (
            "https://www.example.org/?a=1",
            "“https://www.example.org/?a=1”: give only the website, without a path, query or "
            "fragment, e.g. https://www.example.org.",
        ),
        (
            "https://www.example.org#top",
            "“https://www.example.org#top”: give only the website, without a path, query or "
            "fragment, e.g. https://www.example.org.",
        ),
        (
            "https://*.example.org",
            "“https://*.example.org”: wildcards are not allowed; list each website on its own "
            "line.",
        ),
        (
            "www.example.org",
            "“www.example.org” is not a website address; write it like https://www.example.org.",
        ),
        (
            "https://user:secret@example.org",
            "“https://user:secret@example.org” is not a website address; write it like "
            "https://www.example.org.",
        ),
        (
            "https://exa mple.org",
            "“https://exa mple.org” is not a website address; write it like "
            "https://www.example.org.",
        ),
        (
            "https://example.org:99999",
            "“https://example.org:99999” is not a website address; write it like "
            "https://www.example.org.",
        ),
        (
            "javascript:alert(1)",
            "“javascript:alert(1)” is not a website address; write it like "
            "https://www.example.org.",
        ),
    ],
)
def test_a_bad_origin_is_refused_naming_the_line(client, award, organiser, line, message):
    client.force_login(organiser)
    typed = f"https://www.example.org\n{line}"

    response = client.post(settings_url(award), settings_data(award, embed_origins=typed))

    assert response.status_code == 200
    assert response.context["form"].errors == {"embed_origins": [message]}
    assert response.context["form"]["embed_origins"].value() == typed
    award.refresh_from_db()
    assert award.embed_origins == ""
    assert actions(award) == []


@pytest.mark.usefixtures("english")  # the service's messages in English
def test_more_than_twenty_origins_are_refused(award, organiser):
    lines = "\n".join(f"https://site{n}.example.org" for n in range(21))

    with pytest.raises(ValidationError) as caught:
        services.award_update(award=award, actor=organiser, embed_origins=lines)

    assert caught.value.message_dict == {
        "embed_origins": ["At most 20 websites may embed the results; you listed 21."]
    }


def test_twenty_origins_and_duplicates_are_fine(award, organiser):
    lines = "\n".join(f"https://site{n % 20}.example.org" for n in range(30))

    award = services.award_update(award=award, actor=organiser, embed_origins=lines)

    assert len(award.embed_origin_list) == 20


def test_an_internationalised_host_is_stored_in_ascii():
    assert embed_origins_parse("https://Bäckerei.example") == (
        ["https://xn--bckerei-5wa.example"],
        [],
    )


def test_no_origin_means_no_site_may_embed(award):
    assert award.embed_origin_list == []


def test_the_settings_page_of_another_award_is_a_404(client, award):
    stranger = UserFactory(preferred_language="en")
    organiser_elsewhere = UserFactory(preferred_language="en")
    AwardRoleFactory(award=AwardFactory(slug="elsewhere", edition=2029), user=organiser_elsewhere)

    codes = []
    for user in (stranger, organiser_elsewhere):
        client.force_login(user)
        codes.append(client.get(settings_url(award)).status_code)
        codes.append(
            client.post(
                settings_url(award), settings_data(award, embed_origins="https://evil.example")
            ).status_code
        )

    assert codes == [404, 404, 404, 404]
    award.refresh_from_db()
    assert award.embed_origins == ""
