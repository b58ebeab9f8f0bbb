"""The mail template language: placeholders only; values are data, never markup."""

import pytest

from notifications.catalogue import COMMON, MAIL_TYPES
from notifications.rendering import render_html, render_subject, render_text, template_errors

pytestmark = pytest.mark.usefixtures("english")


def test_known_placeholders_are_accepted():
    assert template_errors("Hello {{ recipient_name }}, {{award_name}}!", COMMON) == []


def test_unknown_placeholder_is_refused_with_the_allowed_list():
    assert template_errors("Hi {{ password }}", {"award_name"}) == [
        "Unknown placeholder {{ password }}. Allowed: award_name."
    ]


@pytest.mark.parametrize(
    "text",
    ["{{ user.password }}", "{{ recipient_name|upper }}", "{{ __class__ }}", "{{ a[0] }}"],
)
def test_attribute_access_filters_and_dunder_names_are_refused(text):
    errors = template_errors(text, COMMON)
    assert errors == [
        f"“{text}” is not a placeholder: only plain names such as {{{{ award_name }}}}."
    ]


@pytest.mark.parametrize("text", ["{% load static %}", "{# hidden #}", "{% debug %}"])
def test_template_tags_and_comments_are_refused(text):
    assert template_errors(text, COMMON) == [
        "Template tags and comments ({% … %}, {# … #}) are not allowed; use placeholders."
    ]


def test_unclosed_placeholder_is_refused():
    assert template_errors("Hello {{ recipient_name", COMMON) == [
        "A placeholder is not closed: write {{ name }}."
    ]


def test_rendering_substitutes_values_once_without_evaluating_them():
    values = {"recipient_name": "{{ award_name }}", "award_name": "LIA 2023"}
    assert render_text("Hi {{ recipient_name }} / {{ award_name }}", values) == (
        "Hi {{ award_name }} / LIA 2023"
    )


def test_html_and_markdown_links_in_values_stay_literal_text():
    title = '<a href="https://evil.example">Prize</a> [claim](https://evil.example)'
    html = render_html("Your entry {{ title }}", {"title": title}, link_names=set())

    assert "<a href" not in html
    assert "&lt;a href=&quot;https://evil.example&quot;&gt;Prize&lt;/a&gt;" in html
    assert "[claim](https://evil.example)" in html
    assert render_text("Your entry {{ title }}", {"title": title}) == f"Your entry {title}"


def test_only_declared_link_placeholders_become_links():
    html = render_html(
        "{{ submission_url }} {{ title }}",
        {"submission_url": "https://laurel.example/s/1/", "title": "https://evil.example"},
        link_names={"submission_url"},
    )
    assert html.count("<a href=") == 1
    assert '<a href="https://laurel.example/s/1/">' in html


def test_a_link_placeholder_with_a_javascript_url_is_not_linked():
    html = render_html("{{ url }}", {"url": "javascript:alert(1)"}, link_names={"url"})
    assert "<a " not in html


def test_organiser_text_is_escaped_too():
    html = render_html("<script>alert(1)</script>\n\nBye", {}, link_names=set())
    assert "<script>" not in html
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n<p>Bye</p>" in html


def test_subject_cannot_carry_a_header_injection():
    subject = render_subject("Re: {{ t }}", {"t": "x\r\nBcc: victim@example.org"})
    assert "\n" not in subject and "\r" not in subject
    assert subject == "Re: x Bcc: victim@example.org"


@pytest.mark.parametrize("key", sorted(MAIL_TYPES))
def test_every_shipped_default_uses_only_its_own_placeholders(key):
    mail = MAIL_TYPES[key]
    for language in ("de", "en"):
        assert template_errors(mail.subject[language], mail.allowed) == []
        assert template_errors(mail.body[language], mail.allowed) == []
    samples = mail.sample_values()
    assert set(samples) == mail.allowed


def test_organiser_guide_lists_every_mail_and_placeholder():
    from tests.services import ROOT

    guide = (ROOT / "docs" / "organisers.md").read_text()
    for key, mail in MAIL_TYPES.items():
        assert f"(`{key}`)" in guide
        for name in mail.allowed:
            assert f"`{{{{ {name} }}}}`" in guide
