"""The prompt bank: breadth of subjects, depth of phrasings, natural variation."""

from __future__ import annotations

import random

from guard.simulate import bank
from guard.simulate.phrasing import INTENTS, humanize
from guard.simulate.problems import PROBLEMS, problem
from guard.simulate.subjects import DOMAINS


def test_the_bank_spans_many_domains_and_thousands_of_subjects() -> None:
    assert len(DOMAINS) >= 30
    assert len({d.name for d in DOMAINS}) == len(DOMAINS)
    assert bank.subject_count() >= 10_000
    for domain in DOMAINS:
        assert len(domain.entities) >= 20, domain.name
        assert len(set(domain.entities)) >= len(domain.entities) - 1, domain.name
        assert len(domain.aspects) >= 6 and len(domain.questions) >= 4, domain.name
        assert all("{e}" in a for a in (*domain.aspects, *domain.questions)), domain.name
        assert all(p in PROBLEMS for p in domain.problems), domain.name


def test_every_intent_has_many_phrasings() -> None:
    for intent, templates in INTENTS.items():
        assert len(templates) >= 7, intent
        assert len(set(templates)) == len(templates), intent
    assert sum(len(t) for t in INTENTS.values()) >= 150


def test_random_questions_are_diverse_and_well_formed() -> None:
    rng = random.Random(7)
    questions = [bank.random_question(rng) for _ in range(3000)]
    assert len(set(questions)) / len(questions) > 0.98
    assert not any("{" in q and "}" in q and "{e}" in q for q in questions)
    starts = {q.split()[0].lower() for q in questions}
    assert len(starts) > 60  # not one opening word over and over


def test_clean_phrasing_is_clean_and_human_phrasing_is_noisy() -> None:
    rng = random.Random(1)
    text = "Can you explain the causes of the French Revolution?"
    assert humanize(rng, text, 0.0) == text
    noisy = [humanize(rng, text, 1.0) for _ in range(400)]
    assert sum(n != text for n in noisy) > 150
    assert any(n.islower() for n in noisy)
    assert any(not n.endswith("?") for n in noisy)


def test_problems_are_distinct() -> None:
    rng = random.Random(3)
    for kind in PROBLEMS:
        drawn = {problem(rng, kind) for _ in range(40)}
        assert len(drawn) >= 4, kind
    assert len({bank.solve_prompt(rng) for _ in range(500)}) > 480


def test_bank_conversations_alternate_and_follow_up_on_the_answer() -> None:
    rng = random.Random(2)
    subject = bank.random_subject(rng, DOMAINS[0])
    turns = bank.bank_conversation(rng, subject, 4)
    assert [r for r, _ in turns] == ["user", "assistant"] * 4
    mentioned = 0
    for i in range(2, len(turns), 2):
        previous = turns[i - 1][1].lower()
        words = [w.strip("?.,!").lower() for w in turns[i][1].split()]
        mentioned += any(len(w) > 4 and w in previous for w in words)
    assert mentioned >= 1


def test_multiple_choice_items_have_one_right_answer() -> None:
    rng = random.Random(5)
    for domain in DOMAINS:
        question, options, answer = bank.mc_item(rng, domain)
        assert len(options) == 4 and len(set(options)) == 4
        assert 0 <= answer < 4
        if "NOT" not in question and "multiplied" not in question:
            assert options[answer] in domain.entities
