"""The prompt bank: subjects crossed with phrasings, plus answers for fabricated history.

Everything takes the caller's ``random.Random``, so each actor draws its own reproducible
stream of prompts; nothing here holds state.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from guard.simulate.phrasing import FOLLOW_UPS, INTENTS, harvest_suffix, humanize, pick
from guard.simulate.problems import PROBLEMS, WORD_PROBLEMS, problem
from guard.simulate.subjects import DOMAINS, Domain

__all__ = [
    "MMLU_SUBJECTS",
    "Subject",
    "all_subjects",
    "answer",
    "ask",
    "bank_conversation",
    "follow_up",
    "mc_item",
    "random_question",
    "random_subject",
    "solve_prompt",
    "subject_count",
    "word_problem",
]

_CODE_LANGS = (
    "Python", "Python", "Python", "JavaScript", "JavaScript", "TypeScript", "Java", "Go", "Rust",
    "C#", "C++", "Kotlin", "Swift", "Ruby", "PHP", "Bash", "Scala", "Elixir",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Subject:
    """An entity of a domain seen through one aspect or one direct question."""

    domain: Domain
    entity: str
    template: str
    direct: bool  # template is a full question rather than a noun phrase

    @property
    def phrase(self) -> str:
        return self.template.format(e=self.entity)

    @property
    def noun(self) -> str:
        """The subject as a noun phrase, for templates that need one ("explain {s}")."""
        if not self.direct:
            return self.phrase
        aspects = self.domain.aspects
        return aspects[len(self.template) % len(aspects)].format(e=self.entity)


_SUBJECTS: dict[str, tuple[Subject, ...]] = {}


def _subjects(domain: Domain) -> tuple[Subject, ...]:
    subjects = _SUBJECTS.get(domain.name)
    if subjects is None:
        templates = [(a, False) for a in domain.aspects] + [(q, True) for q in domain.questions]
        subjects = tuple(
            Subject(domain, entity, template, direct)
            for entity in domain.entities
            for template, direct in templates
        )
        _SUBJECTS[domain.name] = subjects
    return subjects


def all_subjects(domains: Sequence[Domain] = DOMAINS) -> list[Subject]:
    """Every subject of ``domains``, in a fixed order (entity-major within a domain)."""
    return [s for d in domains for s in _subjects(d)]


def subject_count() -> int:
    return sum(len(_subjects(d)) for d in DOMAINS)


def random_subject(rng: random.Random, domain: Domain | None = None) -> Subject:
    domain = domain or DOMAINS[rng.randrange(len(DOMAINS))]
    subjects = _subjects(domain)
    return subjects[rng.randrange(len(subjects))]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _other_entity(rng: random.Random, subject: Subject) -> str:
    entities = subject.domain.entities
    other = subject.entity
    while other == subject.entity:
        other = entities[rng.randrange(len(entities))]
    return other


def ask(rng: random.Random, subject: Subject, level: float = 1.0) -> str:
    """A question about ``subject``; ``level`` is how human the phrasing noise is."""
    domain = subject.domain
    roll = rng.random()
    if subject.direct:
        text = subject.phrase
    elif roll < 0.62:
        intent = rng.choice(("explain", "explain", "explain", "list", "why", "summarise"))
        text = _capital(pick(rng, INTENTS[intent]).format(s=subject.phrase))
    elif roll < 0.72:
        other = _other_entity(rng, subject)
        text = pick(rng, INTENTS["compare"]).format(a=subject.entity, b=other)
    elif roll < 0.80:
        text = pick(rng, INTENTS["define"]).format(e=subject.entity)
    elif roll < 0.86:
        text = pick(rng, INTENTS["history"]).format(e=subject.entity)
    elif roll < 0.91:
        text = pick(rng, INTENTS["proscons"]).format(e=subject.entity)
    elif domain.tasks:
        text = _task_prompt(rng, domain)
    else:
        text = _capital(pick(rng, INTENTS["explain"]).format(s=subject.phrase))
    return humanize(rng, _capital(text), level)


def _task_prompt(rng: random.Random, domain: Domain) -> str:
    task = pick(rng, domain.tasks)
    if domain.name == "frameworks":
        return pick(rng, INTENTS["framework"]).format(e=pick(rng, domain.entities), t=task)
    if domain.code:
        return pick(rng, INTENTS["code"]).format(lang=pick(rng, _CODE_LANGS), t=task)
    return pick(rng, INTENTS["howto"]).format(t=task)


def solve_prompt(rng: random.Random, kind: str | None = None, level: float = 1.0) -> str:
    text = pick(rng, INTENTS["solve"]).format(p=problem(rng, kind))
    return humanize(rng, text, level)


def random_question(
    rng: random.Random,
    domains: Sequence[Domain] = DOMAINS,
    level: float = 1.0,
    *,
    harvest: bool = False,
) -> str:
    """Any kind of question from ``domains``: about a subject, a task, or a problem."""
    domain = domains[rng.randrange(len(domains))]
    roll = rng.random()
    if roll < 0.12 and domain.problems:
        return solve_prompt(rng, pick(rng, domain.problems), level)
    if roll < 0.22 and domain.tasks:
        text = humanize(rng, _capital(_task_prompt(rng, domain)), level)
    else:
        text = ask(rng, random_subject(rng, domain), level)
    if harvest:
        text += harvest_suffix(rng)
    return text


# ---------------------------------------------------------------------------------------------
# Answers, for conversation history the simulator has to write itself.

_OPENERS = (
    "Great question!", "Sure! Here's an overview.", "Certainly.", "Here's a concise explanation:",
    "Let's break it down.", "", "", "Good question - this trips up a lot of people.",
    "Absolutely, happy to help.", "Here's how I'd think about it.",
)  # fmt: skip
_SENTENCES = (
    "{E} is closely tied to {t1}, which is why it comes up so often in {f}.",
    "One way to think about it: {t1} is the underlying mechanism, while {e} is what you observe.",
    "A common misconception is that {e} and {t1} are the same thing; they are related but "
    "distinct.",
    "In practice, {t1} matters most when you are also dealing with {t2}.",
    "Historically, our understanding of {e} developed alongside work on {t1}.",
    "If you remember one thing, remember that {e} depends heavily on context.",
    "Most introductory courses cover {e} right after {t1}, and for good reason.",
    "Experts still debate how much {t2} contributes, but the consensus is that it matters.",
    "A useful comparison is {t2}: similar in spirit, different in the details.",
    "The details vary, so treat these as general guidelines rather than hard rules.",
    "For a deeper dive, look at how {t1} and {t2} interact.",
    "This is also why {e} is often discussed together with {t3}.",
)  # fmt: skip
_BULLETS = (
    "{T1}: the starting point for most discussions.",
    "{T2}: often overlooked, but it changes the picture.",
    "{T3}: where most practical problems show up.",
    "Context: what applies in one case may not apply in another.",
    "Trade-offs: every choice here has costs as well as benefits.",
)
_CLOSERS = (
    "Let me know if you'd like me to go deeper on any of these points.",
    "Want me to give a worked example?",
    "I hope this helps!",
    "",
    "If you tell me more about your use case, I can tailor this.",
)


def answer(rng: random.Random, subject: Subject) -> tuple[str, list[str]]:
    """A plausible answer about ``subject`` and the terms it mentions (for follow-ups)."""
    entities = subject.domain.entities
    terms = [subject.entity]
    while len(terms) < 4:
        term = entities[rng.randrange(len(entities))]
        if term not in terms:
            terms.append(term)
    slots = {
        "e": subject.entity,
        "E": _capital(subject.entity),
        "t1": terms[1],
        "t2": terms[2],
        "t3": terms[3],
        "T1": _capital(terms[1]),
        "T2": _capital(terms[2]),
        "T3": _capital(terms[3]),
        "f": subject.domain.field,
    }
    parts = [pick(rng, _OPENERS)]
    for sentence in rng.sample(_SENTENCES, rng.randint(2, 4)):
        parts.append(sentence.format(**slots))
    text = " ".join(p for p in parts if p)
    if rng.random() < 0.6:
        bullets = rng.sample(_BULLETS, rng.randint(3, 5))
        text += "\n\n" + "\n".join(f"{i}. {b.format(**slots)}" for i, b in enumerate(bullets, 1))
    closer = pick(rng, _CLOSERS)
    if closer:
        text += "\n\n" + closer
    return text, terms[1:]


def follow_up(rng: random.Random, terms: Sequence[str], subject: Subject, level: float) -> str:
    """A follow-up that refers to something the previous answer said."""
    roll = rng.random()
    if roll < 0.6 and terms:
        text = pick(rng, FOLLOW_UPS).format(term=pick(rng, tuple(terms)))
    elif roll < 0.8:
        aspect = pick(rng, subject.domain.aspects).format(e="it")
        text = rng.choice(
            (
                f"And what about {aspect}?",
                f"ok, what about {aspect}?",
                f"Thanks. Can you also cover {aspect}?",
                f"Related question: {aspect}?",
            )
        )
    else:
        text = rng.choice(
            (
                "Can you give me an example?",
                "Can you make that shorter?",
                "That's too technical, can you simplify it?",
                "Could you put that in a table?",
                "Is there anything you left out?",
                "What would be a good next thing to read about this?",
                "Can you double-check that last part? I read something different.",
                "Now explain it as if I were ten years old.",
            )
        )
    return humanize(rng, text, level)


def bank_conversation(
    rng: random.Random, subject: Subject, turns: int, level: float = 1.0
) -> list[tuple[str, str]]:
    """A multi-turn conversation about ``subject``: (role, text) pairs, user first."""
    messages: list[tuple[str, str]] = [("user", ask(rng, subject, level))]
    for i in range(turns):
        text, terms = answer(rng, subject)
        messages.append(("assistant", text))
        if i + 1 < turns:
            messages.append(("user", follow_up(rng, terms, subject, level)))
    return messages


# ---------------------------------------------------------------------------------------------
# Multiple-choice items, the shape of MMLU-style benchmark prompts.

MMLU_SUBJECTS: dict[str, str] = {
    "chemistry": "high school chemistry",
    "compounds": "college chemistry",
    "organic-chemistry": "college chemistry",
    "physics": "college physics",
    "astronomy": "astronomy",
    "biology": "college biology",
    "zoology": "high school biology",
    "botany": "high school biology",
    "earth-science": "high school geography",
    "medicine": "clinical knowledge",
    "pharmacology": "professional medicine",
    "anatomy": "anatomy",
    "nutrition": "nutrition",
    "psychology": "high school psychology",
    "history": "high school world history",
    "historical-figures": "high school european history",
    "ancient-world": "prehistory",
    "law": "professional law",
    "political-science": "us foreign policy",
    "economics": "high school macroeconomics",
    "finance": "professional accounting",
    "accounting": "professional accounting",
    "business": "marketing",
    "programming-languages": "college computer science",
    "frameworks": "high school computer science",
    "algorithms": "college computer science",
    "databases": "high school computer science",
    "devops": "computer security",
    "systems": "college computer science",
    "security": "computer security",
    "machine-learning": "machine learning",
    "mathematics": "college mathematics",
    "statistics": "high school statistics",
    "philosophy": "philosophy",
    "religion": "world religions",
    "engineering": "electrical engineering",
    "electronics": "electrical engineering",
    "geography": "high school geography",
    "languages": "miscellaneous",
}


def mc_item(rng: random.Random, domain: Domain) -> tuple[str, list[str], int]:
    """A multiple-choice question about ``domain``: (question, four options, answer index)."""
    others = [d for d in DOMAINS if d.kind != domain.kind]
    foreign = [pick(rng, pick_domain.entities) for pick_domain in rng.sample(others, 3)]
    inside = rng.sample(domain.entities, 3)
    roll = rng.random()
    if roll < 0.55:
        options = [inside[0], *foreign]
        question = f"Which of the following is {domain.kind}?"
        correct = inside[0]
    elif roll < 0.85:
        options = [*inside, foreign[0]]
        question = f"Which of the following is NOT {domain.kind}?"
        correct = foreign[0]
    else:
        a, b = rng.randint(12, 99), rng.randint(12, 99)
        value = a * b
        numbers = {value, value + rng.randint(1, 9), value - rng.randint(1, 9), value + 10 * a}
        while len(numbers) < 4:
            numbers.add(value + rng.randint(11, 99))
        options = [str(n) for n in sorted(numbers)]
        question = f"What is {a} multiplied by {b}?"
        correct = str(value)
    rng.shuffle(options)
    return question, options, options.index(correct)


def word_problem(rng: random.Random) -> str:
    return PROBLEMS[pick(rng, WORD_PROBLEMS)](rng)
