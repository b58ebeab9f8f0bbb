"""The Content-Security-Policy (django-csp, config/settings/base.py): on every page for
visitors and signed-in users, strict (only our own files, no inline script or style, no
nonce, no framing); LAUREL_CSP_REPORT_ONLY sends it as a report instead; a response with a
policy of its own (downloads, the winners widget) keeps exactly that one; uploaded images
come through our own views even from S3, so 'self' is all the policy needs.

That no page of the browser journeys breaks the policy is tested in Chromium
(tests/browser/conftest.py collects every violation)."""

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards.models import Award
from core.http import DOWNLOAD_CONTENT_SECURITY_POLICY
from notifications.rendering import render_html
from submissions import services as submission_services
from tests.factories import (
    AwardFactory,
    CategoryFactory,
    MembershipFactory,
    OrganisationFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.helpers import body, login, png_bytes
from tests.results.test_showcase_pages import showcase_scene

ROOT = Path(__file__).resolve().parents[2]
ENFORCED = "Content-Security-Policy"
REPORT_ONLY = "Content-Security-Policy-Report-Only"


def directives(policy: str) -> dict[str, list[str]]:
    """``"default-src 'self'; img-src 'self' data:"`` as ``{"default-src": ["'self'"], …}``."""
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def assert_site_policy(policy: str) -> None:
    found = directives(policy)
    assert found["default-src"] == ["'self'"]
    assert found["script-src"] == ["'self'"]
    assert found["style-src"] == ["'self'"]
    assert found["img-src"] == ["'self'", "data:"]
    assert found["connect-src"] == ["'self'"]
    assert found["font-src"] == ["'self'"]
    assert found["object-src"] == ["'none'"]
    assert found["base-uri"] == ["'none'"]
    assert found["form-action"] == ["'self'"]
    assert found["frame-ancestors"] == ["'none'"]
    # Nothing that would let an injected script or style run.
    for word in ("'unsafe-inline'", "'unsafe-eval'", "'nonce-", "*", "http:", "https:"):
        assert word not in policy, word


@pytest.fixture
def report_only(settings):
    """The settings as LAUREL_CSP_REPORT_ONLY=true makes them (checked below by starting
    Django with it)."""
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = None


# --- Every page ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "accounts:login", "accounts:register"])
def test_a_visitor_gets_every_page_with_the_strict_policy(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert_site_policy(response[ENFORCED])
    assert REPORT_ONLY not in response


@pytest.mark.django_db
def test_a_signed_in_user_and_an_error_page_get_it_too(client):
    login(client, UserFactory())

    dashboard = client.get(reverse("submissions:dashboard"))
    missing = client.get("/no-such-page/")

    assert dashboard.status_code == 200
    assert_site_policy(dashboard[ENFORCED])
    assert missing.status_code == 404
    assert_site_policy(missing[ENFORCED])


@pytest.mark.django_db
def test_no_nonce_so_every_request_gets_the_same_policy(client):
    first = client.get(reverse("home"))[ENFORCED]
    second = client.get(reverse("home"))[ENFORCED]

    assert directives(first) == directives(second)
    assert "nonce" not in first


@pytest.mark.django_db
def test_report_only_reports_and_blocks_nothing(client, report_only):
    response = client.get(reverse("home"))

    assert ENFORCED not in response
    assert_site_policy(response[REPORT_ONLY])


def _settings_started_with(**environment: str) -> tuple[dict | None, dict | None]:
    """CONTENT_SECURITY_POLICY and …_REPORT_ONLY of a Django started with ``environment``."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CONTENT_SECURITY_POLICY, s.CONTENT_SECURITY_POLICY_REPORT_ONLY]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "LAUREL_CSP_REPORT_ONLY": "",
        "LAUREL_CSP_REPORT_URI": "",
        **environment,
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    enforced, report_only = json.loads(result.stdout.strip().splitlines()[-1])
    return enforced, report_only


def test_the_operator_switches_to_report_only_by_the_environment():
    enforced, report_only = _settings_started_with()
    assert report_only is None and enforced["DIRECTIVES"]["default-src"] == ["'self'"]

    enforced, report_only = _settings_started_with(
        LAUREL_CSP_REPORT_ONLY="true", LAUREL_CSP_REPORT_URI="https://reports.example.org/csp"
    )
    assert enforced is None
    assert report_only["DIRECTIVES"]["default-src"] == ["'self'"]
    assert report_only["DIRECTIVES"]["report-uri"] == ["https://reports.example.org/csp"]


# --- Responses with a policy of their own -------------------------------------------------


def member_and_entry():
    """A member of a company and the company's entry."""
    member = UserFactory(preferred_language="en")
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, user=member, role="owner")
    award = AwardFactory(status="open", max_attachments=10)
    entry = SubmissionFactory(
        award=award,
        category=CategoryFactory(award=award),
        organisation=organisation,
        created_by=member,
    )
    return member, entry


def add_image(entry, member):
    return submission_services.attachment_add(
        submission=entry,
        actor=member,
        upload=SimpleUploadedFile("frame.png", png_bytes(), "application/octet-stream"),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["submissions:attachment", "submissions:thumbnail"])
@pytest.mark.parametrize("mode", ["enforced", "report-only"])
def test_a_download_keeps_its_own_policy_alone(client, settings, mode, name):
    if mode == "report-only":
        settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
        settings.CONTENT_SECURITY_POLICY = None
    member, entry = member_and_entry()
    image = add_image(entry, member)
    login(client, member)

    response = client.get(reverse(name, kwargs={"pk": image.pk}))

    assert response.status_code == 200
    assert response[ENFORCED] == DOWNLOAD_CONTENT_SECURITY_POLICY
    assert REPORT_ONLY not in response
    body(response)


@pytest.mark.django_db
def test_images_of_an_entry_on_s3_still_come_from_our_own_address(client, settings, s3_server):
    """A private bucket's file is read by our view, not handed out as a signed S3 address:
    img-src 'self' covers it, and the bucket's origin need not be in the policy."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_server["options"]},
    }
    member, entry = member_and_entry()
    image = add_image(entry, member)
    assert s3_server["client"].list_objects_v2(Bucket=s3_server["bucket"])["KeyCount"] > 0
    login(client, member)

    page = client.get(reverse("submissions:detail", kwargs={"pk": entry.pk}))
    html = page.content.decode()
    thumbnail = reverse("submissions:thumbnail", kwargs={"pk": image.pk})

    assert page.status_code == 200
    assert f'src="{thumbnail}"' in html
    assert s3_server["endpoint"] not in html
    assert all(src.startswith("/") for src in re.findall(r'<img[^>]* src="([^"]*)"', html))
    served = client.get(thumbnail)
    assert (served.status_code, served["Content-Type"]) == (200, "image/jpeg")
    body(served)
    assert_site_policy(page[ENFORCED])


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["enforced", "report-only"])
def test_the_widget_keeps_the_frame_ancestors_the_organiser_listed(client, settings, mode):
    if mode == "report-only":
        settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
        settings.CONTENT_SECURITY_POLICY = None
    scene = showcase_scene()
    Award.objects.filter(pk=scene.award.pk).update(embed_origins="https://www.example.org")

    widget = client.get(reverse("results:embed", kwargs={"slug": scene.award.slug}))
    results = client.get(reverse("results:public", kwargs={"slug": scene.award.slug}))

    assert directives(widget[ENFORCED])["frame-ancestors"] == ["https://www.example.org"]
    assert directives(widget[ENFORCED])["default-src"] == ["'none'"]
    assert REPORT_ONLY not in widget
    # Every other page, the award's public results too, may be framed by no site.
    header = ENFORCED if mode == "enforced" else REPORT_ONLY
    assert directives(results[header])["frame-ancestors"] == ["'none'"]
    assert results["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["enforced", "report-only"])
def test_answers_that_are_no_document_carry_no_site_policy(client, settings, mode):
    """JSON, CSV or a picture runs nothing; on a picture opened on its own the policy would
    only refuse the browser's viewer its styles."""
    if mode == "report-only":
        settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
        settings.CONTENT_SECURITY_POLICY = None

    health = client.get(reverse("healthz"))

    assert health["Content-Type"].startswith("application/json")
    assert ENFORCED not in health and REPORT_ONLY not in health


# --- What the policy allows, and the markup that must live with it -------------------------


def test_the_one_allowed_style_attribute_is_the_mails_body(settings):
    """The mail previews show the mail's HTML in a frame that inherits the policy; its body's
    style is allowed by hash. A changed mail style needs a new hash (this test says which)."""
    html = render_html("Hello {{ name }}", {"name": "Olga"}, [])
    style = re.search(r'<body style="([^"]*)"', html).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()

    allowed = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src-attr"]
    assert allowed == ["'unsafe-hashes'", f"'sha256-{digest}'"]
    assert re.findall(r'\sstyle="', html) == [' style="']


TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_no_template_has_inline_styles_handlers_or_scripts(path):
    """What the policy would block: style="" attributes, onclick= and the like, javascript:
    addresses and inline scripts (a JSON-LD data block is data, not a script)."""
    text = path.read_text("utf-8")

    assert not re.search(r"<[^>]*\sstyle\s*=", text)
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", text)
    assert "javascript:" not in text.lower()
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert " src=" in tag or 'type="application/ld+json"' in tag, tag


def test_templates_are_found():
    assert len(TEMPLATES) > 50
