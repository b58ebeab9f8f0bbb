"""The certificate pages: the organisers' page (design, list, issue again, revoke, sample),
the download by the company's members, the public verification page, and the certificate on
the applicant's entry page and dashboard. Everyone else gets a 404; query counts are fixed."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.models import Certificate, CertificateDesign
from certificates.selectors import certificate_outcome_parts
from submissions.models import Submission
from tests.certificates.helpers import issued, published_scene
from tests.factories import AwardFactory, AwardRoleFactory, UserFactory
from tests.helpers import body, png_bytes, prefer_english
from tests.results.test_publication import decided_award

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    scene = published_scene(participants=True)
    scene.certificates = issued(scene)
    # The organiser reads English: the pages' texts below are checked in English.
    scene.organiser.preferred_language = "en"
    scene.organiser.save(update_fields=["preferred_language"])
    return scene


def manage_url(award, name="list", **kwargs):
    return reverse(f"certificates_manage:{name}", kwargs={"slug": award.slug, **kwargs})


def verify_url(certificate):
    return reverse("certificates:verify", kwargs={"public_id": certificate.public_id})


def download_url(certificate):
    return reverse("certificates:download", kwargs={"public_id": certificate.public_id})


def member(scene, org):
    return getattr(scene.orgs, org)[1][0]


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- Who may see the organisers' page ---------------------------------------------------------


def test_the_organisers_page_lists_every_certificate_with_its_state(client, scene):
    client.force_login(scene.organiser)
    response = client.get(manage_url(scene.award), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = text(response)
    assert "7 valid certificates" in page
    assert page.count("valid") >= 7
    for certificate in scene.certificates.values():
        assert certificate.public_id in page
    assert 'data-testid="design-form"' in response.content.decode()


@pytest.mark.parametrize("who", ["other_organiser", "applicant", "juror"])
def test_anyone_but_the_organisers_gets_a_404(client, scene, who):
    user = {
        "other_organiser": lambda: AwardRoleFactory(award=AwardFactory()).user,
        "applicant": lambda: member(scene, "pfeiffer"),
        "juror": lambda: scene.jurors[0].user,
    }[who]()
    client.force_login(user)
    certificate = scene.certificates[scene.e.cargo.pk]
    for url in (
        manage_url(scene.award),
        manage_url(scene.award, "issue"),
        manage_url(scene.award, "revoke", pk=certificate.pk),
        manage_url(scene.award, "sample"),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(manage_url(scene.award, "issue"), {"confirm": "on"}).status_code == 404
    response = client.post(
        manage_url(scene.award, "revoke", pk=certificate.pk), {"confirm": "on", "reason": "x"}
    )
    assert response.status_code == 404
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_anonymous_visitors_are_sent_to_the_login(client, scene):
    response = client.get(manage_url(scene.award))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_certificate_of_another_award_is_a_404_under_this_awards_address(client, scene):
    other = published_scene()
    other_certificate = issued(other)[other.e.cargo.pk]
    client.force_login(scene.organiser)
    url = manage_url(scene.award, "revoke", pk=other_certificate.pk)
    assert client.get(url).status_code == 404


# The user, the award, the user's roles (navigation), the design, and the certificates:
# the page's count, the page itself, the counts by state.
LIST_QUERIES = 7


def test_the_list_runs_a_fixed_number_of_queries(client, scene):
    client.force_login(scene.organiser)
    client.get(manage_url(scene.award))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(manage_url(scene.award))
    # Twenty more participants make no more queries.
    for number in range(20):
        entry = Submission.objects.create(
            award=scene.award,
            category=scene.construction,
            organisation=scene.orgs.carbon[0],
            created_by=member(scene, "carbon"),
            title=f"Extra {number}",
            status="eligible",
        )
        Certificate.objects.create(
            award=scene.award, submission=entry, kind="participant", issued_at=timezone.now()
        )
    with CaptureQueriesContext(connection) as many:
        client.get(manage_url(scene.award))
    assert len(many) == len(few) == LIST_QUERIES, "\n".join(
        q["sql"][:150] for q in many.captured_queries
    )


# --- Design, issue, revoke, sample ---------------------------------------------------------------


def _design_post(**overrides):
    data = {
        "signatory_name": "Dr. Erika Mustermann",
        "signatory_role_de": "Vorsitzende der Jury",
        "signatory_role_en": "Chair of the jury",
        "colour": "#8a1538",
        "wording_de": "",
        "wording_en": "",
        "languages": "both",
        "issue_finalists": "on",
        "issue_participants": "on",
    }
    return {**data, **overrides}


def test_saving_the_design_with_an_unknown_placeholder_shows_the_refusal_and_keeps_the_text(
    client, scene
):
    client.force_login(scene.organiser)
    response = client.post(
        manage_url(scene.award),
        _design_post(wording_en="For {{ company.owner }}"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    page = response.content.decode()
    # In the organiser's language, as every refusal of the mail rules.
    assert "is not a placeholder" in page and "For {{ company.owner }}" in page
    assert CertificateDesign.objects.get(award=scene.award).signatory_name == ""


def test_saving_the_design_with_a_logo_stores_it_cleaned(client, scene):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(prefer_english(scene.organiser))
    logo = SimpleUploadedFile("logo.png", png_bytes((200, 100)), content_type="image/png")
    response = client.post(manage_url(scene.award), {**_design_post(), "logo": logo})
    assert response.status_code == 302
    design = CertificateDesign.objects.get(award=scene.award)
    assert design.colour == "#8a1538" and design.logo.name.endswith(".png")
    bad = SimpleUploadedFile("logo.png", b"GIF89a not an image", content_type="image/png")
    response = client.post(
        manage_url(scene.award), {**_design_post(), "signature": bad}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert (
        response.status_code == 400
        and "is not a PDF, JPEG, PNG or WebP" in response.content.decode()
    )


def test_issue_again_says_what_will_happen_and_asks_once(client, scene):
    from results.models import Decision

    client.force_login(scene.organiser)
    Decision.objects.filter(submission=scene.e.deck).delete()
    response = client.get(manage_url(scene.award, "issue"), HTTP_ACCEPT_LANGUAGE="en")
    summary = text(response)
    assert "1 certificate changes its distinction" in summary  # the deck: now a participant
    assert client.post(manage_url(scene.award, "issue")).status_code == 400
    assert Certificate.objects.get(submission=scene.e.deck, revoked_at=None).kind == "mention"
    response = client.post(manage_url(scene.award, "issue"), {"confirm": "on"})
    assert response.status_code == 302
    assert Certificate.objects.get(submission=scene.e.deck, revoked_at=None).kind == "participant"


def test_revoke_asks_for_a_reason_and_confirmation(client, scene):
    client.force_login(scene.organiser)
    certificate = scene.certificates[scene.e.cargo.pk]
    url = manage_url(scene.award, "revoke", pk=certificate.pk)
    assert "Red Arrow technologies UG" in text(client.get(url))
    assert client.post(url, {"confirm": "on", "reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Wrong entry"}).status_code == 400
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert client.post(url, {"confirm": "on", "reason": "Wrong entry"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revocation_reason == "Wrong entry"


def test_the_sample_is_a_pdf_with_the_saved_design(client, scene):
    from tests.certificates.helpers import pdf_text

    client.force_login(scene.organiser)
    response = client.get(manage_url(scene.award, "sample") + "?kind=finalist")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pdf_text(response.content)
    assert "Finalteilnahme" in pages[0] and "Finalist" in pages[1]
    assert services.SAMPLE_COMPANY in pages[0]
    assert client.get(manage_url(scene.award, "sample") + "?kind=bogus").status_code == 404


# --- Download ----------------------------------------------------------------------------


def test_the_companys_members_download_their_certificate(client, scene):
    certificate = scene.certificates[scene.e.slab.pk]
    client.force_login(member(scene, "nord"))
    response = client.get(download_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response).startswith(b"%PDF-")


@pytest.mark.parametrize("who", ["other_company", "other_organiser", "juror"])
def test_nobody_else_downloads_it(client, scene, who):
    user = {
        "other_company": lambda: member(scene, "carbon"),
        "other_organiser": lambda: AwardRoleFactory(award=AwardFactory()).user,
        "juror": lambda: scene.jurors[0].user,
    }[who]()
    client.force_login(user)
    assert client.get(download_url(scene.certificates[scene.e.slab.pk])).status_code == 404
    assert client.get("/certificates/not-a-certificate/download/").status_code == 404


def test_anonymous_download_asks_for_a_login(client, scene):
    response = client.get(download_url(scene.certificates[scene.e.slab.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_revoked_certificate_can_no_longer_be_downloaded(client, scene):
    certificate = scene.certificates[scene.e.slab.pk]
    services.certificate_revoke(certificate=certificate, actor=scene.organiser, reason="Error")
    client.force_login(member(scene, "nord"))
    response = client.get(download_url(certificate), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    assert "revoked this certificate on" in text(response)
    assert "can no longer be downloaded" in text(response)


# --- The public verification page ---------------------------------------------------------


def test_a_winners_certificate_verifies_with_company_title_and_distinction(client, scene):
    certificate = scene.certificates[scene.e.pavilion.pk]
    response = client.get(verify_url(certificate), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = text(response)
    assert "This certificate is genuine and valid." in page
    assert "issued by Composites United e.V." in page and "to Studio Sven Pfeiffer on" in page
    assert "Winner" in page and "Construction" in page
    assert "Timber shell pavilion" in page
    assert 'name="robots" content="noindex"' in response.content.decode()


def test_without_consent_to_publication_neither_company_nor_title_is_named(client):
    scene = published_scene()
    Submission.objects.filter(pk=scene.e.slab.pk).update(consent_publication=False)
    certificate = issued(scene)[scene.e.slab.pk]
    response = client.get(verify_url(certificate), HTTP_ACCEPT_LANGUAGE="en")
    page = text(response)
    assert "genuine and valid" in page and "Second place" in page
    # As on the public results: no name, no title.
    assert "Leichtbau Nord" not in page
    assert "Hollow core slab" not in page
    assert 'data-testid="name-check"' in response.content.decode()


def test_a_participation_certificate_names_neither_company_nor_entry(client, scene):
    certificate = scene.certificates[scene.e.seat.pk]
    page = text(client.get(verify_url(certificate), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Participation" in page
    assert "Flachs" not in page
    assert "Flax seat shell" not in page


@pytest.mark.parametrize(
    ("typed", "matches"),
    [
        ("Flachs & Co. KG", "yes"),
        ("  flachs &   co. kg ", "yes"),
        ("Flachs GmbH", "no"),
        ("Leichtbau Nord GmbH", "no"),
    ],
)
def test_the_name_printed_on_the_paper_is_confirmed_or_not(client, scene, typed, matches):
    certificate = scene.certificates[scene.e.seat.pk]
    response = client.post(verify_url(certificate), {"company": typed}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-matches="{matches}"' in page
    # The answer is about what was typed; the stored name is never shown.
    if matches == "no":
        assert "Flachs &amp; Co. KG" not in page


def test_a_typed_name_is_shown_as_text_never_as_markup(client, scene):
    certificate = scene.certificates[scene.e.seat.pk]
    response = client.post(
        verify_url(certificate), {"company": "<script>alert(1)</script>"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_revoked_certificate_says_so_with_the_date(client, scene):
    certificate = scene.certificates[scene.e.cargo.pk]
    services.certificate_revoke(certificate=certificate, actor=scene.organiser, reason="Secret")
    certificate.refresh_from_db()
    response = client.get(verify_url(certificate), HTTP_ACCEPT_LANGUAGE="en")
    page = text(response)
    assert "This certificate has been revoked." in page
    day = timezone.localtime(certificate.revoked_at, scene.award.tzinfo)
    assert f"since {day.day} " in page or f"since {day:%B} {day.day}" in page
    assert "genuine and valid" not in page and "Secret" not in page
    assert response.content.decode().count('data-state="revoked"') == 1


def test_unknown_ids_and_unpublished_results_are_a_404(client, scene):
    assert client.get("/certificates/abcdefghijklmnopqrstuvwx/").status_code == 404
    unpublished = decided_award()
    certificate = Certificate.objects.create(
        award=unpublished.award, submission=unpublished.e.cargo, kind="winner", place=1
    )
    assert client.get(verify_url(certificate)).status_code == 404


def test_the_verification_page_in_german(client, scene):
    response = client.get(verify_url(scene.certificates[scene.e.pavilion.pk]))
    assert response.status_code == 200
    assert 'lang="de"' in response.content.decode()


# --- The applicant's pages ------------------------------------------------------------------


def test_the_entry_page_and_the_dashboard_offer_the_download(client, scene):
    certificate = scene.certificates[scene.e.slab.pk]
    client.force_login(member(scene, "nord"))
    detail = client.get(reverse("submissions:detail", kwargs={"pk": scene.e.slab.pk}))
    assert detail.status_code == 200
    assert download_url(certificate) in detail.content.decode()
    dashboard = client.get(reverse("submissions:dashboard"))
    assert download_url(certificate) in dashboard.content.decode()


def test_the_entry_page_says_when_the_certificate_was_revoked(client, scene):
    certificate = scene.certificates[scene.e.slab.pk]
    services.certificate_revoke(certificate=certificate, actor=scene.organiser, reason="Error")
    client.force_login(member(scene, "nord"))
    detail = client.get(
        reverse("submissions:detail", kwargs={"pk": scene.e.slab.pk}), HTTP_ACCEPT_LANGUAGE="en"
    )
    page = detail.content.decode()
    assert 'data-testid="certificate-revoked"' in page and download_url(certificate) not in page


def test_the_provider_runs_one_query_for_any_number_of_entries(scene, django_assert_num_queries):
    entries = list(Submission.objects.filter(award=scene.award))
    user = UserFactory()
    with django_assert_num_queries(1):
        parts = certificate_outcome_parts(entries, user)
    assert set(parts) == set(scene.certificates)
    with django_assert_num_queries(1):
        certificate_outcome_parts(entries[:1], user)
