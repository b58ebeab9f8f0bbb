"""Permission-aware getters: every organisation, entry and file a view touches comes through
here. A stranger gets 404, never 403, so that ids reveal nothing."""

from django.http import Http404

from accounts.models import User

from .models import Attachment, Organisation, Submission


def organisation_get_for(user: User, pk: int, perm: str = "submissions.view_organisation"):
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None or not user.has_perm(perm, organisation):
        raise Http404
    return organisation


def submission_get_for(user: User, pk: int, perm: str = "submissions.edit_submission"):
    """The entry with its award, category and organisation, if ``user`` has ``perm`` on it."""
    submission = (
        Submission.objects.select_related("award", "category", "organisation").filter(pk=pk).first()
    )
    if submission is None or not user.has_perm(perm, submission):
        raise Http404
    return submission


def attachment_get_for(user: User, pk: int) -> Attachment:
    """A file of an entry the user may see (its organisation's members, the award's organisers;
    assigned jurors once the jury exists)."""
    attachment = (
        Attachment.objects.select_related(
            "submission", "submission__award", "submission__organisation"
        )
        .filter(pk=pk)
        .first()
    )
    if attachment is None or not user.has_perm(
        "submissions.view_submission", attachment.submission
    ):
        raise Http404
    return attachment
