"""The standard application form: the questions the Lightweight Innovation Award asked before
forms could be built, as data.

Every award that existed then got these questions (migration ``submissions.0009``, which keeps
its own frozen copy, as migrations must); the demo awards get them when they are seeded, and
an organiser can start a new award's form from them (``services.questions.form_standard_add``).
"""

from typing import Any

from .enums import QuestionKind

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
        "kind": QuestionKind.LONG_TEXT,
        "label_de": de,
        "label_en": en,
        "help_de": help_de,
        "help_en": help_en,
        "required": True,
        "max_length": 10_000,
    }


def _section(key: str, de: str, en: str) -> dict[str, Any]:
    return {"key": key, "kind": QuestionKind.SECTION, "label_de": de, "label_en": en}


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
        "kind": QuestionKind.CHOICE,
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
        "kind": QuestionKind.URL,
        "label_de": "Link zu einem Video",
        "label_en": "Video link",
        "help_de": "Optional: ein Link zu einem Video im Web, z. B. https://www.youtube.com/…",
        "help_en": "Optional: a link to a video on the web, e.g. https://www.youtube.com/…",
    },
    _section("files", "Dokumente und Bilder", "Documents and images"),
    {
        "key": "images",
        "kind": QuestionKind.FILE,
        "label_de": "Bilder der Innovation",
        "label_en": "Images of the innovation",
        "help_de": "Mindestens ein Bild: JPEG, PNG oder WebP.",
        "help_en": "At least one image: JPEG, PNG or WebP.",
        "required": True,
        "file_kinds": ["image"],
    },
    {
        "key": "documents",
        "kind": QuestionKind.FILE,
        "label_de": "Dokumente",
        "label_en": "Documents",
        "help_de": "Optional: Datenblätter, Präsentationen, Studien als PDF.",
        "help_en": "Optional: data sheets, presentations, studies as PDF.",
        "file_kinds": ["document"],
    },
]
