"""The fixed entry fields become the questions of each award's form; the answers move over.

Every award gets the standard form (a frozen copy of ``submissions.standard_form`` as it was
when this was written): the same questions, labels and help texts the fixed form had, so
nothing is renamed for the applicant. Each entry's texts, its market readiness and video link
become its answers (version 1), its images and documents go into the two file slots. Backwards,
the answers go back into the fields (0010 removes those only after this).
"""

from typing import Any

from django.db import migrations

TRL = [
    ("TRL 1 – Grundprinzipien beobachtet", "TRL 1 – basic principles observed"),
    ("TRL 2 – Technologiekonzept formuliert", "TRL 2 – technology concept formulated"),
    ("TRL 3 – experimenteller Funktionsnachweis", "TRL 3 – experimental proof of concept"),
    ("TRL 4 – Technologie im Labor validiert", "TRL 4 – technology validated in the lab"),
    (
        "TRL 5 – Technologie in relevanter Umgebung validiert",
        "TRL 5 – technology validated in a relevant environment",
    ),
    (
        "TRL 6 – Technologie in relevanter Umgebung demonstriert",
        "TRL 6 – technology demonstrated in a relevant environment",
    ),
    (
        "TRL 7 – Prototyp im Einsatz demonstriert",
        "TRL 7 – prototype demonstrated in an operational environment",
    ),
    ("TRL 8 – System vollständig und qualifiziert", "TRL 8 – system complete and qualified"),
    ("TRL 9 – im Einsatz bewährt, am Markt", "TRL 9 – proven in operation, on the market"),
]


def _text(key: str, de: str, en: str, *, help_de: str = "", help_en: str = "") -> dict[str, Any]:
    return {
        "key": key,
        "kind": "long_text",
        "label_de": de,
        "label_en": en,
        "help_de": help_de,
        "help_en": help_en,
        "required": True,
        "max_length": 10_000,
    }


def _section(key: str, de: str, en: str) -> dict[str, Any]:
    return {"key": key, "kind": "section", "label_de": de, "label_en": en}


STANDARD_QUESTIONS: list[dict[str, Any]] = [
    _text("description", "Beschreibung der Innovation", "Description of the innovation"),
    _section("assessment", "Bewertungsgrundlagen", "Assessment"),
    _text(
        "lightweight",
        "Was die Innovation zum Leichtbau macht",
        "What makes it lightweight",
        help_de="Eingesparte Materialien, Gewicht und Ressourcen, mit Zahlen belegt.",
        help_en="Materials, weight and resources saved, with figures.",
    ),
    _text("innovation", "Innovationsgrad", "Degree of innovation"),
    _text(
        "future_potential",
        "Zukunftspotenzial für Mensch und Region",
        "Future potential for people and the region",
    ),
    {
        "key": "market_readiness",
        "kind": "choice",
        "label_de": "Marktreife",
        "label_en": "Market readiness",
        "help_de": "Technologiereifegrad (TRL)",
        "help_en": "Technology readiness level (TRL)",
        "required": True,
        "choices": [
            {"value": str(number), "de": de, "en": en}
            for number, (de, en) in enumerate(TRL, start=1)
        ],
    },
    _section("team_and_video", "Team und Video", "Team and video"),
    _text("team", "Team", "Team"),
    {
        "key": "video_url",
        "kind": "url",
        "label_de": "Link zu einem Video",
        "label_en": "Video link",
        "help_de": "Optional: ein Link zu einem Video im Web, z. B. https://www.youtube.com/…",
        "help_en": "Optional: a link to a video on the web, e.g. https://www.youtube.com/…",
    },
    _section("files", "Dokumente und Bilder", "Documents and images"),
    {
        "key": "images",
        "kind": "file",
        "label_de": "Bilder der Innovation",
        "label_en": "Images of the innovation",
        "help_de": "Mindestens ein Bild: JPEG, PNG oder WebP.",
        "help_en": "At least one image: JPEG, PNG or WebP.",
        "required": True,
        "file_kinds": ["image"],
    },
    {
        "key": "documents",
        "kind": "file",
        "label_de": "Dokumente",
        "label_en": "Documents",
        "help_de": "Optional: Datenblätter, Präsentationen, Studien als PDF.",
        "help_en": "Optional: data sheets, presentations, studies as PDF.",
        "file_kinds": ["document"],
    },
]


TEXT_FIELDS = ("description", "lightweight", "innovation", "future_potential", "team", "video_url")
FILLED = ["answers", "answers_text", "choice_answers"]
SEARCHED = ("description", "lightweight", "innovation", "future_potential", "team", "video_url")


def _form_create(Question, award) -> dict[str, Any]:
    created = {}
    for position, row in enumerate(STANDARD_QUESTIONS, start=1):
        created[row["key"]] = Question.objects.create(award=award, position=position * 10, **row)
    return created


def forwards(apps, schema_editor):
    Award = apps.get_model("awards", "Award")
    Question = apps.get_model("submissions", "Question")
    Submission = apps.get_model("submissions", "Submission")
    Attachment = apps.get_model("submissions", "Attachment")
    for award in Award.objects.order_by("pk").iterator():
        if Question.objects.filter(award=award).exists():
            continue
        form = _form_create(Question, award)
        batch = []
        for entry in Submission.objects.filter(award=award).order_by("pk").iterator():
            answers = {}
            for name in TEXT_FIELDS:
                value = (getattr(entry, name) or "").strip()
                if value:
                    answers[str(form[name].pk)] = {"value": value, "version": 1}
            entry.choice_answers = {}
            if entry.market_readiness:
                key = str(form["market_readiness"].pk)
                answers[key] = {"value": str(entry.market_readiness), "version": 1}
                entry.choice_answers[key] = str(entry.market_readiness)
            entry.answers = answers
            entry.answers_text = "\n".join(
                answers[str(form[name].pk)]["value"].casefold()
                for name in SEARCHED
                if str(form[name].pk) in answers
            )
            batch.append(entry)
            if len(batch) >= 500:
                Submission.objects.bulk_update(batch, FILLED)
                batch = []
        Submission.objects.bulk_update(batch, FILLED)
        attachments = Attachment.objects.filter(submission__award=award)
        attachments.filter(kind="image").update(question=form["images"])
        attachments.exclude(kind="image").update(question=form["documents"])


def backwards(apps, schema_editor):
    Question = apps.get_model("submissions", "Question")
    Submission = apps.get_model("submissions", "Submission")
    Attachment = apps.get_model("submissions", "Attachment")
    keys = {q.pk: q.key for q in Question.objects.all()}
    for entry in Submission.objects.order_by("pk").iterator():
        for question_id, answer in (entry.answers or {}).items():
            key = keys.get(int(question_id))
            value = answer.get("value") if isinstance(answer, dict) else None
            if key in TEXT_FIELDS and isinstance(value, str):
                setattr(entry, key, value)
            elif key == "market_readiness" and value:
                entry.market_readiness = int(value)
        entry.save(update_fields=[*TEXT_FIELDS, "market_readiness"])
    Attachment.objects.update(question=None)
    Question.objects.filter(show_if__isnull=False).delete()
    Question.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("submissions", "0008_form_questions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
