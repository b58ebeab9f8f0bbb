"""What the public sees of the results beyond the decisions themselves: the moment they last
changed (the public pages' cache key), the share images."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import pgettext

from awards.models import Award

from .. import presskit, wording
from ..models import Decision
from ..selectors.public import prize_of, shareable_decisions


def results_changed(award: Award) -> None:
    """Mark that something the public results show has changed (a decision, a statement,
    the publication), so that the cached public pages are rendered again at once. Called
    inside the changing service's transaction: readers see the new moment with the change."""
    Award.objects.filter(pk=award.pk).update(results_changed_at=timezone.now())


# --- Share images --------------------------------------------------------------------------
#
# One 1200×630 PNG per public, consented decision (the press kit's design), made when the
# publication is scheduled (the task ``results.share_images``) and stored in the private
# storage: only the public view serves it, and only from the publication's moment on. If the
# worker never made it, the view makes it on the first request, through the same code.
# Stored images are in the site's language (German): one image per decision. The edition's
# image ("The winners" of the edition) is made per language.

# Part of every digest: a change of the design makes every image again.
SHARE_DESIGN = "1"


def share_inputs(decision: Decision, award: Award) -> dict[str, str]:
    """What the share image of ``decision`` shows, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "award": str(award),
            "category": decision.category.name,
            "distinction": str(wording.distinction(decision)),
            "title": decision.submission.title,
            "company": decision.submission.organisation.name,
            "prize": prize_of(decision, award),
        }


def _digest(inputs: object) -> str:
    payload = json.dumps([SHARE_DESIGN, inputs], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _is_current(decision: Decision, digest: str) -> bool:
    return (
        bool(decision.share_image.name)
        and decision.share_image_digest == digest
        and decision.share_image.storage.exists(decision.share_image.name)
    )


def _delete_on_commit(storage: Storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _render(decision: Decision, inputs: dict[str, str], digest: str) -> None:
    """Render and store the image of ``decision`` (a row locked by the caller); the image it
    replaces is deleted once the transaction has committed."""
    old = decision.share_image.name
    storage = decision.share_image.storage
    decision.share_image.save("share.png", ContentFile(presskit.share_image(**inputs)), save=False)
    decision.share_image_digest = digest
    Decision.objects.filter(pk=decision.pk).update(
        share_image=decision.share_image.name, share_image_digest=digest
    )
    _delete_on_commit(storage, old)


@transaction.atomic
def share_images_render(*, award: Award) -> int:
    """Make the share image of every public decision of ``award`` whose company agreed to
    publication, skipping those whose image shows the same as it would now (idempotent);
    remove the images of decisions that are hidden or no longer consented. Also makes the
    edition's image in each language. Returns how many images were made.
    Side effects: files in the private storage; no audit entry (images derived from the
    decisions, which are logged themselves); no mail."""
    made = 0
    shareable = set(shareable_decisions(award).values_list("pk", flat=True))
    decisions = (
        Decision.objects.select_for_update(of=("self",))
        .filter(award=award)
        .select_related("category", "submission__organisation")
        .order_by("pk")
    )
    for decision in decisions:
        if decision.pk not in shareable:
            if decision.share_image.name:
                _delete_on_commit(decision.share_image.storage, decision.share_image.name)
                Decision.objects.filter(pk=decision.pk).update(
                    share_image="", share_image_digest=""
                )
            continue
        inputs = share_inputs(decision, award)
        digest = _digest(inputs)
        if not _is_current(decision, digest):
            _render(decision, inputs, digest)
            made += 1
    for language, _name in settings.LANGUAGES:
        made += edition_share_image(award=award, language=language)[1]
    return made


@transaction.atomic
def share_image_ensure(*, decision: Decision) -> Decision:
    """The share image of one public, consented ``decision`` (as the selector
    ``shareable_decision`` returns it), made now if the worker has not made it or it shows
    something outdated. Locks the decision's row, so that two requests make it once.
    Side effects: a file in the private storage."""
    locked = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("award", "category", "submission__organisation")
        .get(pk=decision.pk)
    )
    inputs = share_inputs(locked, locked.award)
    digest = _digest(inputs)
    if not _is_current(locked, digest):
        _render(locked, inputs, digest)
    return locked


# --- The edition's share image -------------------------------------------------------------


def edition_share_inputs(award: Award, language: str) -> dict[str, object]:
    """What the edition's share image shows, in ``language`` (1 query: the categories)."""
    with translation.override(language):
        return {
            "organiser": award.organiser_name,
            "heading": pgettext("share image", "The winners"),
            "title": str(award),
            "categories": [c.name for c in award.categories.order_by("position", "code")],
        }


def edition_share_image(*, award: Award, language: str) -> tuple[str, bool]:
    """The storage name of the edition's share image in ``language``, made now unless it
    exists already (its name is the digest of what it shows: a change makes a new one).
    Returns the name and whether it was made. Side effects: a file in the private storage."""
    inputs = edition_share_inputs(award, language)
    digest = _digest(inputs)
    name = f"share/{award.pk}/edition-{language}-{digest[:32]}.png"
    storage = Decision._meta.get_field("share_image").storage
    if storage.exists(name):
        return name, False
    return storage.save(name, ContentFile(presskit.edition_image(**inputs))), True
