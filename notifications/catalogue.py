"""Every mail Laurel sends about an award: its key, placeholders and default texts.

Organisers may override subject and text per award and language; the placeholders of a key
are fixed here (and listed in docs/organisers.md). A value is always prepared as a string
in the recipient's language before rendering.
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COMMON = {
    "recipient_name": _("name of the recipient"),
    "award_name": _("the award and edition, e.g. Lightweight Innovation Award 2023"),
    "organiser_name": _("who organises the award"),
}


@dataclass(frozen=True)
class MailType:
    key: str
    label: Promise
    placeholders: dict[str, Promise]
    subject: dict[str, str]
    body: dict[str, str]
    links: frozenset[str] = field(default_factory=frozenset)

    @property
    def allowed(self) -> set[str]:
        return {*COMMON, *self.placeholders}

    def sample_values(self) -> dict[str, str]:
        """Example values for the preview of an organiser's template."""
        samples = {
            "recipient_name": "Erika Mustermann",
            "award_name": "Lightweight Innovation Award 2023",
            "organiser_name": "Composites United e.V.",
            "submission_title": "Carbon bicycle frame <b>made in Berlin</b>",
            "reference": "LIA-2023-MOB-0007",
            "category": "Mobility",
            "deadline": "10.03.2023 18:00",
            "submitted_at": "08.03.2023 14:12",
            "summary": "A bicycle frame of flax fibre, 40 % lighter than aluminium.",
            "files": "frame.pdf, photo.jpg",
            "answers": "Market readiness: TRL 7 – prototype demonstrated in an operational "
            "environment\n\nTeam: Six engineers and designers from Berlin.",
            "days_left": "7",
            "reason": "The company is based outside Berlin/Brandenburg.",
            "decision": "eligible",
            "prize": "10.000 €",
            "open_reviews": "5",
            "jury_deadline": "28.04.2023 18:00",
            "expires_at": "15.02.2023 18:00",
            "inviter_name": "Olga Organiser",
            "organisation_name": "Red Arrow technologies UG",
            "endpoint_url": "https://crm.example.org/hooks/laurel",
            "failures": "10",
            "last_error": "HTTP 503",
        }
        for name in self.links:
            samples[name] = f"https://laurel.example/{name.removesuffix('_url')}/"
        return {name: samples.get(name, f"[{name}]") for name in self.allowed}


_SUBMISSION = {
    "submission_title": _("title of the entry"),
    "reference": _("reference number, e.g. LIA-2023-MOB-0007"),
    "category": _("category of the entry"),
}

MAIL_TYPES: dict[str, MailType] = {
    mail.key: mail
    for mail in [
        MailType(
            key="submission.received",
            label=_("Confirmation of a submission"),
            placeholders={
                **_SUBMISSION,
                "submitted_at": _("when it was submitted"),
                "deadline": _("the submission deadline"),
                "submission_url": _("link to the entry"),
                "summary": _("the entry's short summary"),
                "answers": _(
                    "the answers to the application form, each as “question: answer”, "
                    "in the recipient's language"
                ),
                "files": _("the names of the uploaded documents and images"),
            },
            links=frozenset({"submission_url"}),
            subject={
                "de": "Ihre Einreichung {{ reference }} ist eingegangen",
                "en": "Your entry {{ reference }} has been received",
            },
            body={
                "de": "Guten Tag {{ recipient_name }},\n\nvielen Dank für Ihre Einreichung "
                "„{{ submission_title }}“ in der Kategorie {{ category }} zum Wettbewerb "
                "„{{ award_name }}“. "
                "Sie ist am {{ submitted_at }} eingegangen; Ihre Referenznummer ist "
                "{{ reference }}.\n\nKurzbeschreibung:\n{{ summary }}\n\n"
                "Ihre Angaben:\n{{ answers }}\n\nDateien: {{ files }}\n\n"
                "Bis zur Einreichungsfrist am {{ deadline }} können Sie sie "
                "noch ändern: {{ submission_url }}\n\nMit freundlichen Grüßen\n"
                "{{ organiser_name }}",
                "en": "Hello {{ recipient_name }},\n\nthank you for your entry "
                "“{{ submission_title }}” in the category {{ category }} of the "
                "{{ award_name }}. We received it on {{ submitted_at }}; its reference number "
                "is {{ reference }}.\n\nShort summary:\n{{ summary }}\n\n"
                "Your answers:\n{{ answers }}\n\nFiles: {{ files }}\n\n"
                "You can still change it until the deadline on "
                "{{ deadline }}: {{ submission_url }}\n\nKind regards\n{{ organiser_name }}",
            },
        ),
        MailType(
            key="submission.draft_reminder",
            label=_("Reminder of an unfinished draft"),
            placeholders={
                **_SUBMISSION,
                "deadline": _("the submission deadline"),
                "days_left": _("days until the deadline"),
                "submission_url": _("link to the draft"),
            },
            links=frozenset({"submission_url"}),
            subject={
                "de": "Noch {{ days_left }} Tage: Ihre Einreichung ist noch nicht abgeschickt",
                "en": "{{ days_left }} days left: your entry has not been submitted yet",
            },
            body={
                "de": "Guten Tag {{ recipient_name }},\n\nIhr Entwurf „{{ submission_title }}“ "
                "für den Wettbewerb „{{ award_name }}“ ist noch nicht eingereicht. Die "
                "Einreichungsfrist endet am {{ deadline }}.\n\n{{ submission_url }}\n\n"
                "Mit freundlichen Grüßen\n{{ organiser_name }}",
                "en": "Hello {{ recipient_name }},\n\nyour draft “{{ submission_title }}” for the "
                "{{ award_name }} has not been submitted yet. The deadline is {{ deadline }}."
                "\n\n{{ submission_url }}\n\nKind regards\n{{ organiser_name }}",
            },
        ),
        MailType(
            key="submission.eligibility",
            label=_("Result of the eligibility check"),
            placeholders={
                **_SUBMISSION,
                "decision": _("eligible or not eligible"),
                "reason": _("the organiser's reason"),
            },
            subject={
                "de": "Zulassungsprüfung Ihrer Einreichung {{ reference }}",
                "en": "Eligibility check of your entry {{ reference }}",
            },
            body={
                "de": "Guten Tag {{ recipient_name }},\n\nIhre Einreichung "
                "„{{ submission_title }}“ ({{ reference }}) ist {{ decision }}.\n\n{{ reason }}"
                "\n\nMit freundlichen Grüßen\n{{ organiser_name }}",
                "en": "Hello {{ recipient_name }},\n\nyour entry “{{ submission_title }}” "
                "({{ reference }}) is {{ decision }}.\n\n{{ reason }}\n\nKind regards\n"
                "{{ organiser_name }}",
            },
        ),
        MailType(
            key="organisation.invited",
            label=_("Invitation of a colleague to a company profile"),
            placeholders={
                "organisation_name": _("the company"),
                "inviter_name": _("who sent the invitation"),
                "invitation_url": _("the personal invitation link"),
                "expires_at": _("until when the link is valid"),
            },
            links=frozenset({"invitation_url"}),
            subject={
                "de": "{{ inviter_name }} lädt Sie zu {{ organisation_name }} ein",
                "en": "{{ inviter_name }} invites you to {{ organisation_name }}",
            },
            body={
                "de": "Guten Tag {{ recipient_name }},\n\n{{ inviter_name }} lädt Sie ein, im "
                "Unternehmensprofil von {{ organisation_name }} mitzuarbeiten und Einreichungen "
                "gemeinsam zu bearbeiten. Der Link gilt bis {{ expires_at }}:\n\n"
                "{{ invitation_url }}\n\nWenn Sie diese Einladung nicht erwartet haben, können "
                "Sie sie ignorieren.\n\nMit freundlichen Grüßen\n{{ organiser_name }}",
                "en": "Hello {{ recipient_name }},\n\n{{ inviter_name }} invites you to work on "
                "the company profile of {{ organisation_name }} and edit its entries together. The "
                "link is valid until {{ expires_at }}:\n\n{{ invitation_url }}\n\nIf you did not "
                "expect this invitation, you can ignore it.\n\nKind regards\n{{ organiser_name }}",
            },
        ),
        MailType(
            key="juror.invited",
            label=_("Invitation to the jury"),
            placeholders={
                "invitation_url": _("the personal invitation link"),
                "expires_at": _("until when the link is valid"),
                "inviter_name": _("who sent the invitation"),
            },
            links=frozenset({"invitation_url"}),
            subject={
                "de": "Einladung in die Jury: {{ award_name }}",
                "en": "Invitation to the jury of the {{ award_name }}",
            },
            body={
                "de": "Guten Tag {{ recipient_name }},\n\n{{ inviter_name }} lädt Sie in die "
                "Jury des Wettbewerbs „{{ award_name }}“ ein. Bitte nehmen Sie die Einladung "
                "bis zum {{ expires_at }} an:\n\n{{ invitation_url }}\n\nMit freundlichen Grüßen\n"
                "{{ organiser_name }}",
                "en": "Hello {{ recipient_name }},\n\n{{ inviter_name }} invites you to the jury "
                "of the {{ award_name }}. Please accept the invitation by {{ expires_at }}:\n\n"
                "{{ invitation_url }}\n\nKind regards\n{{ organiser_name }}",
            },
        ),
        MailType(
            key="jury.reminder",
            label=_("Reminder of open reviews"),
            placeholders={
                "open_reviews": _("number of reviews still open"),
                "jury_deadline": _("the jury deadline"),
                "dashboard_url": _("link to the juror's dashboard"),
            },
            links=frozenset({"dashboard_url"}),
            subject={
                "de": "Erinnerung: {{ open_reviews }} Bewertungen offen",
                "en": "Reminder: {{ open_reviews }} reviews open",
            },
            body={
                "de": "Guten Tag {{ recipient_name }},\n\nfür den Wettbewerb „{{ award_name }}“ "
                "sind noch {{ open_reviews }} Ihrer Bewertungen offen. Die Bewertungsfrist "
                "endet am {{ jury_deadline }}.\n\n{{ dashboard_url }}\n\n"
                "Vielen Dank für Ihre Arbeit!\n{{ organiser_name }}",
                "en": "Hello {{ recipient_name }},\n\n{{ open_reviews }} of your reviews for the "
                "{{ award_name }} are still open. The jury deadline is {{ jury_deadline }}.\n\n"
                "{{ dashboard_url }}\n\nThank you for your work!\n{{ organiser_name }}",
            },
        ),
        MailType(
            key="result.winner",
            label=_("Congratulations to a winner"),
            placeholders={
                **_SUBMISSION,
                "prize": _("the prize money"),
                "results_url": _("link to the published results"),
            },
            links=frozenset({"results_url"}),
            subject={
                "de": "Herzlichen Glückwunsch: {{ award_name }}",
                "en": "Congratulations: {{ award_name }}",
            },
            body={
                "de": "Guten Tag {{ recipient_name }},\n\nherzlichen Glückwunsch! Ihre "
                "Einreichung „{{ submission_title }}“ hat im Wettbewerb „{{ award_name }}“ in der "
                "Kategorie {{ category }} gewonnen, dotiert mit {{ prize }}.\n\n"
                "Wir melden uns in Kürze zu den nächsten Schritten. Die Ergebnisse: "
                "{{ results_url }}\n\nMit freundlichen Grüßen\n{{ organiser_name }}",
                "en": "Hello {{ recipient_name }},\n\ncongratulations! Your entry "
                "“{{ submission_title }}” has won the {{ award_name }} in the category "
                "{{ category }}, with a prize of {{ prize }}.\n\nWe will be in touch shortly "
                "about the next steps. The results: {{ results_url }}\n\nKind regards\n"
                "{{ organiser_name }}",
            },
        ),
        MailType(
            key="result.placed",
            label=_("Congratulations on a place or special mention"),
            placeholders={
                **_SUBMISSION,
                "distinction": _("the place or special mention, e.g. “second place”"),
                "results_url": _("link to the published results"),
            },
            links=frozenset({"results_url"}),
            subject={
                "de": "Herzlichen Glückwunsch: {{ award_name }}",
                "en": "Congratulations: {{ award_name }}",
            },
            body={
                "de": "Guten Tag {{ recipient_name }},\n\nherzlichen Glückwunsch! Ihre "
                "Einreichung „{{ submission_title }}“ hat im Wettbewerb „{{ award_name }}“ in der "
                "Kategorie {{ category }} folgende Auszeichnung erhalten: {{ distinction }}.\n\n"
                "Die Ergebnisse: {{ results_url }}\n\nMit freundlichen Grüßen\n"
                "{{ organiser_name }}",
                "en": "Hello {{ recipient_name }},\n\ncongratulations! Your entry "
                "“{{ submission_title }}” has received this distinction in the {{ award_name }}, "
                "category {{ category }}: {{ distinction }}.\n\nThe results: {{ results_url }}"
                "\n\nKind regards\n{{ organiser_name }}",
            },
        ),
        MailType(
            key="result.not_selected",
            label=_("Thank you to the other applicants"),
            placeholders={**_SUBMISSION, "results_url": _("link to the published results")},
            links=frozenset({"results_url"}),
            subject={
                "de": "{{ award_name }}: Die Ergebnisse",
                "en": "The results of the {{ award_name }}",
            },
            body={
                "de": "Guten Tag {{ recipient_name }},\n\nvielen Dank für Ihre Einreichung "
                "„{{ submission_title }}“. Die Jury hat entschieden; Ihre Einreichung wurde "
                "diesmal nicht ausgezeichnet. Die Ergebnisse: {{ results_url }}\n\n"
                "Mit freundlichen Grüßen\n{{ organiser_name }}",
                "en": "Hello {{ recipient_name }},\n\nthank you for your entry "
                "“{{ submission_title }}”. The jury has decided; this time your entry has not "
                "been selected. The results: {{ results_url }}\n\nKind regards\n"
                "{{ organiser_name }}",
            },
        ),
        MailType(
            key="result.feedback",
            label=_("The jury's feedback to an applicant"),
            placeholders={
                **_SUBMISSION,
                "feedback_url": _("link to the entry's page with the jury's feedback"),
            },
            links=frozenset({"feedback_url"}),
            subject={
                "de": "{{ award_name }}: Rückmeldung der Jury zu Ihrer Einreichung",
                "en": "{{ award_name }}: the jury's feedback on your entry",
            },
            body={
                "de": "Guten Tag {{ recipient_name }},\n\ndie Jury des Wettbewerbs "
                "„{{ award_name }}“ hat Ihnen eine Rückmeldung zu Ihrer Einreichung "
                "„{{ submission_title }}“ (Kategorie {{ category }}) gegeben. Sie finden sie "
                "auf der Seite Ihrer Einreichung: {{ feedback_url }}\n\n"
                "Mit freundlichen Grüßen\n{{ organiser_name }}",
                "en": "Hello {{ recipient_name }},\n\nthe jury of the {{ award_name }} has "
                "written feedback on your entry “{{ submission_title }}” (category "
                "{{ category }}). You can read it on your entry's page: {{ feedback_url }}"
                "\n\nKind regards\n{{ organiser_name }}",
            },
        ),
        MailType(
            key="result.jury",
            label=_("Results for the jury"),
            placeholders={"results_url": _("link to the published results")},
            links=frozenset({"results_url"}),
            subject={
                "de": "{{ award_name }}: Die Ergebnisse sind veröffentlicht",
                "en": "The results of the {{ award_name }} are published",
            },
            body={
                "de": "Guten Tag {{ recipient_name }},\n\nvielen Dank für Ihre Arbeit in der "
                "Jury. Die Ergebnisse sind veröffentlicht: {{ results_url }}\n\n"
                "Mit freundlichen Grüßen\n{{ organiser_name }}",
                "en": "Hello {{ recipient_name }},\n\nthank you for your work on the jury. The "
                "results are published: {{ results_url }}\n\nKind regards\n{{ organiser_name }}",
            },
        ),
        MailType(
            key="submission.retention_notice",
            label=_("Notice before the files and texts of an entry are deleted"),
            placeholders={
                **_SUBMISSION,
                "expires_at": _("the day the entry's files and texts are deleted"),
                "submission_url": _("link to the entry"),
            },
            links=frozenset({"submission_url"}),
            subject={
                "de": "{{ award_name }}: Die Dateien und Texte Ihrer Einreichung werden gelöscht",
                "en": "{{ award_name }}: the files and texts of your entry will be deleted",
            },
            body={
                "de": "Guten Tag {{ recipient_name }},\n\nzum Schutz Ihrer Daten bewahren wir "
                "Einreichungen, die nicht ausgezeichnet wurden, nur für eine begrenzte Zeit nach "
                "der Veröffentlichung der Ergebnisse auf. Ab dem {{ expires_at }} löschen wir "
                "deshalb die Dateien und Texte Ihrer Einreichung „{{ submission_title }}“ in der "
                "Kategorie {{ category }} (die Antworten, die Kurzbeschreibung, die Dokumente und "
                "Bilder). Titel, Referenznummer, Kategorie und Unternehmen bleiben erhalten."
                "\n\nWenn Sie etwas davon behalten möchten, laden Sie es bitte vorher herunter: "
                "{{ submission_url }}\n\nMit freundlichen Grüßen\n{{ organiser_name }}",
                "en": "Hello {{ recipient_name }},\n\nto protect your data, we keep entries that "
                "did not win a place or mention only for a limited time after the results are "
                "published. From {{ expires_at }} on, we will therefore delete the files and "
                "texts of your entry “{{ submission_title }}” in the category {{ category }} (the "
                "answers, the short summary, the documents and images). The title, reference "
                "number, category and company remain.\n\nIf you would like to keep any of it, "
                "please download it before then: {{ submission_url }}\n\nKind regards\n"
                "{{ organiser_name }}",
            },
        ),
        MailType(
            key="webhooks.endpoint_disabled",
            label=_("A webhook endpoint was disabled after repeated failures"),
            placeholders={
                "endpoint_url": _("the address (URL) of the endpoint"),
                "failures": _("how many attempts in a row failed"),
                "last_error": _("what the last attempt got (status code or error)"),
                "webhooks_url": _("link to the award's webhooks"),
            },
            links=frozenset({"webhooks_url"}),
            subject={
                "de": "Webhook abgeschaltet: {{ endpoint_url }}",
                "en": "Webhook disabled: {{ endpoint_url }}",
            },
            body={
                "de": "Guten Tag {{ recipient_name }},\n\nder Webhook des Wettbewerbs "
                "„{{ award_name }}“ an {{ endpoint_url }} ist {{ failures }}-mal nacheinander "
                "nicht angekommen (zuletzt: {{ last_error }}). Wir haben ihn deshalb "
                "abgeschaltet; bis Sie ihn wieder einschalten, senden wir ihm nichts mehr."
                "\n\nPrüfen Sie bitte den Empfänger, schalten Sie den Webhook wieder ein und "
                "senden Sie verpasste Ereignisse im Protokoll erneut: {{ webhooks_url }}"
                "\n\nMit freundlichen Grüßen\n{{ organiser_name }}",
                "en": "Hello {{ recipient_name }},\n\nthe webhook of the {{ award_name }} to "
                "{{ endpoint_url }} failed {{ failures }} times in a row (last: "
                "{{ last_error }}). We have therefore disabled it; it receives nothing until you "
                "enable it again.\n\nPlease check the receiver, enable the webhook again and "
                "send missed events again from its log: {{ webhooks_url }}\n\nKind regards\n"
                "{{ organiser_name }}",
            },
        ),
        MailType(
            key="announcement",
            label=_("Announcement by the organisers"),
            placeholders={},
            subject={"de": "", "en": ""},
            body={"de": "", "en": ""},
        ),
    ]
}

EDITABLE_KEYS = [key for key in MAIL_TYPES if key != "announcement"]
