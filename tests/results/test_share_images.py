"""Share images: one 1200×630 PNG per public distinction whose company agreed to publication,
made when the publication is scheduled (the task ``results.share_images``, enqueued on
commit) and stored privately; made again only when what it shows changes; made on the first
request if the worker never did; and an image of the edition per language."""

import io

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from awards.models import Award
from results import presskit, tasks
from results import services as results_services
from results.models import Decision
from results.services.showcase import share_images_render, share_inputs
from submissions.models import Submission
from tests.results.test_public_results import publish
from tests.results.test_publication import decided_award, later
from tests.results.test_showcase_pages import with_references

pytestmark = pytest.mark.django_db

# Pavilion, slab, rebar (places), deck (mention), cargo (winner); facade was not selected.
SHAREABLE = 5
LANGUAGES = 2


@pytest.fixture
def scene():
    return publish(with_references(decided_award()))


def decision_of(submission) -> Decision:
    return Decision.objects.get(submission=submission)


def png_size(content: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    return image.size


def share_url(scene, submission) -> str:
    return reverse(
        "results:share_image",
        kwargs={"slug": scene.award.slug, "reference": submission.reference},
    )


def served(response) -> bytes:
    return b"".join(response.streaming_content)


def test_rendering_makes_one_image_per_public_consented_distinction(scene):
    made = share_images_render(award=scene.award)

    assert made == SHAREABLE + LANGUAGES
    for submission in (scene.e.pavilion, scene.e.slab, scene.e.rebar, scene.e.deck, scene.e.cargo):
        decision = decision_of(submission)
        assert decision.share_image.name.startswith(f"share/{scene.award.pk}/")
        assert len(decision.share_image_digest) == 64
        with decision.share_image.open("rb") as file:
            assert png_size(file.read()) == (1200, 630)


def test_the_image_shows_the_distinction_in_the_sites_language(scene):
    share_images_render(award=scene.award)
    decision = decision_of(scene.e.pavilion)

    inputs = share_inputs(decision, scene.award)

    assert inputs == {
        "award": str(scene.award),
        "category": "Bauwesen",
        "distinction": "Preisträgerin / Preisträger",
        "title": "Timber shell pavilion",
        "company": "Studio Sven Pfeiffer",
        "prize": "10.000\u00a0€",
    }
    with decision.share_image.open("rb") as file:
        assert file.read() == presskit.share_image(**inputs)


def test_rendering_again_changes_nothing(scene):
    share_images_render(award=scene.award)
    names = {d.pk: d.share_image.name for d in Decision.objects.filter(award=scene.award)}

    assert share_images_render(award=scene.award) == 0
    assert {d.pk: d.share_image.name for d in Decision.objects.filter(award=scene.award)} == names


def test_a_changed_title_makes_that_image_again_and_removes_the_old(
    scene, django_capture_on_commit_callbacks
):
    share_images_render(award=scene.award)
    old = decision_of(scene.e.cargo).share_image.name
    storage = storages["default"]
    Submission.objects.filter(pk=scene.e.cargo.pk).update(title="Folding cargo bike II")

    with django_capture_on_commit_callbacks(execute=True):
        made = share_images_render(award=scene.award)

    assert made == 1
    new = decision_of(scene.e.cargo)
    assert new.share_image.name != old
    assert not storage.exists(old)
    assert share_inputs(new, scene.award)["title"] == "Folding cargo bike II"


def test_hidden_and_unconsented_distinctions_get_no_image(
    scene, client, django_capture_on_commit_callbacks
):
    share_images_render(award=scene.award)
    slab_image = decision_of(scene.e.slab).share_image.name
    Decision.objects.filter(submission=scene.e.slab).update(public=False)
    Submission.objects.filter(pk=scene.e.deck.pk).update(consent_publication=False)

    with django_capture_on_commit_callbacks(execute=True):
        share_images_render(award=scene.award)

    assert decision_of(scene.e.slab).share_image.name == ""
    assert decision_of(scene.e.deck).share_image.name == ""
    assert not storages["default"].exists(slab_image)
    assert client.get(share_url(scene, scene.e.slab)).status_code == 404
    assert client.get(share_url(scene, scene.e.deck)).status_code == 404
    assert client.get(share_url(scene, scene.e.facade)).status_code == 404  # not selected


def test_a_missing_image_is_made_on_the_first_request(scene, client):
    assert decision_of(scene.e.pavilion).share_image.name == ""  # the worker never ran

    response = client.get(share_url(scene, scene.e.pavilion))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    content = served(response)
    assert png_size(content) == (1200, 630)
    stored = decision_of(scene.e.pavilion)
    assert stored.share_image.name
    # The next request serves the stored one.
    again = client.get(share_url(scene, scene.e.pavilion))
    assert served(again) == content
    assert decision_of(scene.e.pavilion).share_image.name == stored.share_image.name


def test_an_image_lost_from_the_storage_is_made_again(scene, client):
    share_images_render(award=scene.award)
    lost = decision_of(scene.e.pavilion).share_image.name
    storages["default"].delete(lost)

    response = client.get(share_url(scene, scene.e.pavilion))

    assert response.status_code == 200
    assert png_size(served(response)) == (1200, 630)
    assert decision_of(scene.e.pavilion).share_image.name != lost


def test_the_edition_has_an_image_per_language(scene, client):
    images = {}
    for language in ("de", "en"):
        url = reverse(
            "results:edition_share_image",
            kwargs={"slug": scene.award.slug, "language": language},
        )
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=3600"
        images[language] = served(response)
        assert png_size(images[language]) == (1200, 630)
    assert images["de"] != images["en"]
    unknown = reverse(
        "results:edition_share_image", kwargs={"slug": scene.award.slug, "language": "fr"}
    )
    assert client.get(unknown).status_code == 404


def test_scheduling_the_publication_enqueues_the_images_on_commit(
    monkeypatch, django_capture_on_commit_callbacks
):
    scene = with_references(decided_award())
    sent = []
    monkeypatch.setattr(
        tasks.share_images, "apply_async", lambda args, **options: sent.append(("share", args))
    )
    monkeypatch.setattr(
        tasks.publish_results, "apply_async", lambda args, **options: sent.append(("publish", args))
    )

    with django_capture_on_commit_callbacks() as callbacks:
        results_services.publication_schedule(
            award=scene.award, at=later(hours=1), actor=scene.organiser
        )
        assert sent == []  # nothing before the commit

    for callback in callbacks:
        callback()
    assert ("share", (scene.award.pk,)) in sent
    # What the task does with it: every image, while the results are still private.
    assert tasks.share_images(scene.award.pk) == SHAREABLE + LANGUAGES
    assert tasks.share_images(scene.award.pk) == 0
    assert not Award.objects.get(pk=scene.award.pk).results_are_public(timezone.now())


def test_a_refused_schedule_enqueues_nothing(monkeypatch, django_capture_on_commit_callbacks):
    scene = decided_award()
    Award.objects.filter(pk=scene.award.pk).update(status="judging")

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(results_services.PublicationError),
    ):
        results_services.publication_schedule(
            award=scene.award, at=later(hours=1), actor=scene.organiser
        )

    assert callbacks == []


def test_the_task_for_a_deleted_award_does_nothing():
    assert tasks.share_images(10**9) == 0
