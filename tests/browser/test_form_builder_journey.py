"""An organiser builds an application form in a real browser (English page).

Starting from an empty form with two categories: a single-choice question for every
category, then a question asked only in "Mobility" and only when the first is answered
"granted"; a number question; the number question moved with the keyboard (handle, arrow
key, Space), with the plain "Up" button, and by drag and drop; each order is saved (the
database holds it). The preview shows the form in German and English and per category.
Every page passes ``page_findings`` (no serious or critical axe-core violation, no
sideways scrolling at 390 px).
"""

import re

import pytest
from django.contrib.staticfiles import finders
from playwright.sync_api import Page, expect

from awards.models import Award
from submissions.models import Question
from tests.browser.checks import page_findings
from tests.factories import PASSWORD, AwardFactory, AwardRoleFactory, CategoryFactory
from tests.helpers import en_user

pytestmark = [pytest.mark.browser]

EMAIL = "olga@organiser.example"


@pytest.fixture
def award(transactional_db) -> Award:
    award = AwardFactory(form=False, status="draft", slug="lia-2041", edition=2041)
    CategoryFactory(award=award, code="MOB", name_en="Mobility", name_de="Mobilität", position=1)
    CategoryFactory(award=award, code="CON", name_en="Construction", name_de="Bauen", position=2)
    AwardRoleFactory(award=award, user=en_user(email=EMAIL, full_name="Olga Organiser"))
    return award


def log_in(page: Page, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_url}")


def order(award) -> list[str]:
    return list(award.questions.order_by("position", "pk").values_list("key", flat=True))


def labels(page: Page) -> list[str]:
    return [
        text.split("\n")[0].strip()
        for text in page.get_by_test_id("questions")
        .locator("[data-testid=question-label]")
        .all_inner_texts()
    ]


def add_question(page: Page, builder: str, kind: str, de: str, en: str, **extra) -> None:
    page.goto(f"{builder}add/")
    page.get_by_label("Type").select_option(label=kind)
    page.get_by_label("Question (German)").fill(de)
    page.get_by_label("Question (English)").fill(en)
    if "choices" in extra:
        page.get_by_label("Choices").fill(extra["choices"])
    for name in extra.get("categories", []):
        page.get_by_label(name, exact=True).check()
    if "show_if" in extra:
        page.get_by_label("Show only if").select_option(label=extra["show_if"])
        page.get_by_label(extra["value"], exact=True).check()
    page.get_by_test_id("question-save").click()
    page.wait_for_url(f"**{builder}#question-*")


def test_organiser_builds_orders_and_previews_a_form(new_page, site, award):
    builder = f"/manage/{award.slug}/submissions/form/"
    page = new_page(locale="en-GB")
    log_in(page, builder)
    expect(page.get_by_test_id("form-empty")).to_be_visible()
    assert page_findings(page) == [], "empty builder"

    # A question for every category, then one for Mobility shown only for "granted".
    add_question(
        page,
        builder,
        "Single choice",
        "Patentstatus",
        "Patent status",
        choices="none | keines | none\ngranted | erteilt | granted",
    )
    page.goto(f"{builder}add/")
    assert page_findings(page) == [], "question page"
    add_question(
        page,
        builder,
        "Short text",
        "Patentnummer",
        "Patent number",
        categories=["Mobility"],
        show_if="Patent status",
        value="granted",
    )
    add_question(page, builder, "Number", "Budget", "Budget")
    number = award.questions.get(key="patentnummer")
    assert list(number.categories.values_list("code", flat=True)) == ["MOB"]
    assert number.show_if_values == ["granted"]
    row = page.locator(f"#question-{number.pk}")
    expect(row.get_by_test_id("question-condition")).to_have_text(
        "shown if “Patent status” is “granted”"
    )
    expect(row.get_by_test_id("question-categories")).to_have_text("Only in: Mobility")
    assert page_findings(page) == [], "builder with questions"

    # The keyboard: pick "Budget" up, one place up, drop.
    budget = page.locator(f"#question-{award.questions.get(key='budget').pk}")
    handle = budget.locator("[data-drag-handle]")
    handle.focus()
    page.keyboard.press("Space")
    expect(page.get_by_test_id("order-status")).to_contain_text("picked up")
    page.keyboard.press("ArrowUp")
    with page.expect_response(lambda r: r.url.endswith("/form/reorder/")) as answer:
        page.keyboard.press("Space")
    assert answer.value.status == 200
    expect(page.get_by_test_id("order-status")).to_contain_text("The new order has been saved.")
    assert order(award) == ["patentstatus", "budget", "patentnummer"]

    # The button that works without a script: one more place up.
    budget.get_by_role("button", name="Up – Budget").click()
    page.wait_for_load_state()
    assert labels(page) == ["Budget", "Patent status", "Patent number"]
    assert order(award) == ["budget", "patentstatus", "patentnummer"]

    # Drag and drop: "Budget" to the end, below "Patent number".
    target = page.locator(f"#question-{number.pk}")
    box = target.bounding_box()
    with page.expect_response(lambda r: r.url.endswith("/form/reorder/")) as answer:
        page.locator(
            f"#question-{award.questions.get(key='budget').pk} [data-drag-handle]"
        ).drag_to(target, target_position={"x": 20, "y": box["height"] - 5})
    assert answer.value.status == 200
    assert order(award) == ["patentstatus", "patentnummer", "budget"]

    # A drop that puts a question before its condition is refused and put back.
    status_row = page.locator(f"#question-{award.questions.get(key='patentstatus').pk}")
    box = target.bounding_box()
    with page.expect_response(lambda r: r.url.endswith("/form/reorder/")) as answer:
        status_row.locator("[data-drag-handle]").drag_to(
            target, target_position={"x": 20, "y": box["height"] - 5}
        )
    assert answer.value.status == 400
    expect(page.get_by_test_id("order-status")).to_contain_text("must stay after it")
    assert labels(page) == ["Patent status", "Patent number", "Budget"]

    # The preview: German, then English, per category.
    mobility = award.categories.get(code="MOB")
    construction = award.categories.get(code="CON")
    page.get_by_test_id("form-preview").click()
    page.get_by_test_id("preview-languages").get_by_role("link", name="Deutsch").click()
    preview = page.get_by_test_id("preview")
    expect(preview).to_have_attribute("lang", "de")
    expect(preview.get_by_text("Patentstatus", exact=True)).to_be_visible()
    page.goto(f"{builder}preview/?category={mobility.pk}&lang=en")
    expect(preview.get_by_text("Patent status", exact=True)).to_be_visible()
    assert preview.locator(f'[data-question="{number.pk}"]').count() == 1
    if finders.find("js/questions.js"):
        # The condition works as it will for applicants.
        expect(preview.locator(f'[data-question="{number.pk}"]')).to_be_hidden()
        patent = award.questions.get(key="patentstatus")
        preview.locator(f"[name={patent.field_name}]").select_option(label="granted")
        expect(preview.locator(f'[data-question="{number.pk}"]')).to_be_visible()
    assert page_findings(page) == [], "preview"
    page.goto(f"{builder}preview/?category={construction.pk}&lang=en")
    assert preview.locator(f'[data-question="{number.pk}"]').count() == 0
    # Deleting asks first; an unanswered question can go.
    budget_pk = award.questions.get(key="budget").pk
    page.goto(f"{builder}{budget_pk}/delete/")
    assert page_findings(page) == [], "delete page"
    page.get_by_test_id("question-delete").click()
    page.wait_for_url(f"**{builder}")
    assert order(award) == ["patentstatus", "patentnummer"]
    page.goto(f"{builder}copy/")
    expect(page.get_by_test_id("copy-none")).to_be_visible()
    assert page_findings(page) == [], "copy page"

    # The refused drop above answered 400 on purpose; nothing else failed.
    assert [p for p in page.problems.all() if "/form/reorder/" not in p] == []
    assert Question.objects.filter(award=award).count() == 2
