import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from awards.models import Award, AwardRole, Category, Criterion, Round

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    preferred_language = "de"
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def privacy_consent(obj, create, extracted, **kwargs):
        """Agreed to the current privacy policy, as everyone who registers does (pass
        ``privacy_consent=False`` for someone who has not: the page view asks them)."""
        if create and extracted is not False:
            from accounts.services import privacy_consent_record

            privacy_consent_record(user=obj)


def standard_form_create(award: Award) -> dict:
    """The standard application form (``submissions.standard_form``) for ``award`` in one
    query; returns its questions by key."""
    from submissions.models import Question
    from submissions.standard_form import STANDARD_QUESTIONS

    questions = Question.objects.bulk_create(
        Question(award=award, position=10 * index, **row)
        for index, row in enumerate(STANDARD_QUESTIONS, start=1)
    )
    return {q.key: q for q in questions}


class AwardFactory(factory.django.DjangoModelFactory):
    """An award with the standard application form (``form=False``: without questions)."""

    class Meta:
        model = Award
        skip_postgeneration_save = True

    name = "Lightweight Innovation Award"
    edition = factory.Sequence(lambda n: 2030 + n)
    slug = factory.LazyAttribute(lambda o: f"lia-{o.edition}")
    reference_prefix = "LIA"
    organiser_name = "Composites United e.V."
    status = "draft"
    submissions_open_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    submissions_close_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=20))
    jury_deadline_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=40))
    announcement_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=60))

    @factory.post_generation
    def form(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            standard_form_create(obj)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    award = factory.SubFactory(AwardFactory)
    code = factory.Sequence(lambda n: f"C{n:02d}")
    name_de = factory.Sequence(lambda n: f"Kategorie {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    prize_amount = Decimal("10000")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    award = factory.SubFactory(AwardFactory)
    name_de = factory.Sequence(lambda n: f"Kriterium {n}")
    name_en = factory.Sequence(lambda n: f"Criterion {n}")
    weight = Decimal("1")


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    award = factory.SubFactory(AwardFactory)
    number = factory.Sequence(lambda n: n + 1)
    name_de = "Bewertungsrunde"
    name_en = "Scoring round"


class AwardRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardRole

    award = factory.SubFactory(AwardFactory)
    user = factory.SubFactory(UserFactory)
    role = "organiser"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "submissions.Organisation"

    name = factory.Sequence(lambda n: f"Leichtbau GmbH {n}")
    size_class = "sme"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "submissions.Membership"

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = "owner"


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A draft by a member of its organisation (pass ``created_by`` to choose the member)."""

    class Meta:
        model = "submissions.Submission"

    award = factory.SubFactory(AwardFactory, status="open")
    category = factory.LazyAttribute(lambda o: CategoryFactory(award=o.award))
    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.LazyAttribute(
        lambda o: MembershipFactory(organisation=o.organisation).user
    )
    title = factory.Sequence(lambda n: f"Carbon frame {n}")
    status = "draft"


def complete_entry_fields() -> dict:
    """Every core field an entry needs before it can be submitted."""
    return {
        "summary": "A bicycle frame of flax fibre, 40 % lighter than aluminium.",
        "consent_terms": True,
        "consent_data": True,
        "consent_publication": True,
    }


# Answers to the standard form's questions by key (images apart).
STANDARD_ANSWERS = {
    "description": "Woven flax and bio-resin, pressed in one piece.",
    "lightweight": "1.1 kg instead of 1.8 kg; 30 % less energy in production.",
    "innovation": "First series frame of natural fibre with integrated cable routing.",
    "future_potential": "Made in Brandenburg, 20 new jobs by 2027.",
    "market_readiness": "7",
    "team": "Six engineers and designers from Berlin.",
}


def standard_answers(award: Award, **overrides) -> dict:
    """Stored answers (``Submission.answers``) to the standard form of ``award``."""
    from submissions.questions import answers_by_key

    return answers_by_key(award.questions.all(), {**STANDARD_ANSWERS, **overrides})


def answer_of(submission, key: str):
    """The stored value of ``submission``'s answer to the question ``key`` (None: none)."""
    question = submission.award.questions.get(key=key)
    answer = (submission.answers or {}).get(str(question.pk))
    return answer.get("value") if answer else None


# --- Jury --------------------------------------------------------------------------------


class JurorFactory(factory.django.DjangoModelFactory):
    """An active juror who has confirmed confidentiality and declared conflicts (the seat is
    what opens the jury pages). Pass ``categories=[...]`` to set their pools."""

    class Meta:
        model = "jury.Juror"
        skip_postgeneration_save = True

    award = factory.SubFactory(AwardFactory, status="judging")
    user = factory.SubFactory(UserFactory)
    role = "juror"
    confidentiality_confirmed_at = factory.LazyFunction(timezone.now)
    conflicts_declared_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if not create:
            return
        from jury.models import JurorCategory

        for category in extracted or ():
            JurorCategory.objects.create(juror=obj, category=category)


def judging_setup(*, entries: int = 3, jurors: int = 3, criteria: int = 2, k: int = 2):
    """An award in judging with one category, ``criteria`` criteria (scale 1–10), one open
    scoring round, ``entries`` eligible entries of different organisations and ``jurors``
    ready jurors of the category. Returns a SimpleNamespace."""
    from types import SimpleNamespace

    from jury.models import RoundEntry

    award = AwardFactory(
        status="judging",
        reviews_per_submission=k,
        submissions_open_at=timezone.now() - dt.timedelta(days=40),
        submissions_close_at=timezone.now() - dt.timedelta(days=10),
        jury_deadline_at=timezone.now() + dt.timedelta(days=20),
        announcement_at=timezone.now() + dt.timedelta(days=30),
    )
    category = CategoryFactory(award=award)
    criteria_ = [
        CriterionFactory(award=award, position=i, scale_min=1, scale_max=10)
        for i in range(criteria)
    ]
    round_ = RoundFactory(award=award, number=1, status="open", opened_at=timezone.now())
    submissions = [
        SubmissionFactory(award=award, category=category, status="eligible") for _ in range(entries)
    ]
    for submission in submissions:
        RoundEntry.objects.create(round=round_, submission=submission)
    jurors_ = [JurorFactory(award=award, categories=[category]) for _ in range(jurors)]
    organiser = AwardRoleFactory(award=award, role="organiser").user
    return SimpleNamespace(
        award=award,
        category=category,
        criteria=criteria_,
        round=round_,
        submissions=submissions,
        jurors=jurors_,
        organiser=organiser,
    )
