"""The certificate pages in Chromium: the organisers' page, the public verification page and
the entry page with its certificate fit a 390 px wide screen without sideways scrolling,
axe-core finds no serious or critical violation, and the organiser revokes a certificate
through the confirmation page."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.browser.checks import page_findings
from tests.browser.conftest import new_page, site  # noqa: F401 - the browser's fixtures
from tests.certificates.helpers import issued, published_scene
from tests.services import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(page, site, user):  # noqa: F811 - ``site`` is the fixture's value
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": site,
            }
        ]
    )
    return page


def test_the_certificate_pages_fit_a_phone_and_revoking_asks_first(new_page, site):  # noqa: F811
    scene = published_scene(participants=True)
    certificates = issued(scene)
    winner = certificates[scene.e.pavilion.pk]
    shots = ARTIFACTS / "screenshots" / "certificates"
    shots.mkdir(parents=True, exist_ok=True)

    public = new_page()
    public.goto(reverse("certificates:verify", kwargs={"public_id": winner.public_id}))
    assert public.get_by_test_id("verification").get_attribute("data-state") == "valid"
    assert "Timber shell pavilion" in public.get_by_test_id("entry-title").inner_text()
    assert page_findings(public) == []
    public.set_viewport_size({"width": 390, "height": 844})
    public.screenshot(path=shots / "verification-390.png", full_page=True)

    applicant = signed_in(new_page(), site, scene.orgs.nord[1][0])
    applicant.goto(reverse("submissions:detail", kwargs={"pk": scene.e.slab.pk}))
    assert applicant.get_by_test_id("certificate-download").is_visible()
    assert page_findings(applicant) == []

    organiser = signed_in(new_page(), site, scene.organiser)
    organiser.goto(reverse("certificates_manage:list", kwargs={"slug": scene.award.slug}))
    assert page_findings(organiser) == []
    organiser.screenshot(path=shots / "organiser.png", full_page=True)
    cargo = certificates[scene.e.cargo.pk]
    revoke = reverse(
        "certificates_manage:revoke", kwargs={"slug": scene.award.slug, "pk": cargo.pk}
    )
    organiser.locator(f'a[href="{revoke}"]').click()
    assert page_findings(organiser) == []
    organiser.get_by_label("Begründung").fill("Falsche Einreichung ausgezeichnet.")
    organiser.get_by_test_id("confirm").click()
    organiser.wait_for_url("**/certificates/")
    state = organiser.get_by_test_id(f"certificate-{cargo.pk}").get_by_test_id("state")
    assert "widerrufen" in state.inner_text() or "revoked" in state.inner_text()

    public.goto(reverse("certificates:verify", kwargs={"public_id": cargo.public_id}))
    assert public.get_by_test_id("verification").get_attribute("data-state") == "revoked"
