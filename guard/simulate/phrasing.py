"""How people phrase a request: templates per intent, and the noise humans add.

Templates carry slots: ``{s}`` a subject phrase, ``{e}`` an entity, ``{a}``/``{b}`` two
entities, ``{t}`` a task, ``{lang}`` a language, ``{p}`` a problem. :func:`humanize` adds what
real typing adds (greetings, context, casing, typos, dropped punctuation) so that no two users
phrase the same question identically.
"""

from __future__ import annotations

import random
import string
from typing import Final

__all__ = ["FOLLOW_UPS", "INTENTS", "harvest_suffix", "humanize", "pick"]


def pick(rng: random.Random, options: tuple[str, ...]) -> str:
    return options[rng.randrange(len(options))]


INTENTS: Final[dict[str, tuple[str, ...]]] = {
    "explain": (
        "Explain {s}.",
        "Can you explain {s}?",
        "Could you explain {s} in simple terms?",
        "Please explain {s} to me like I'm a beginner.",
        "I'd like to understand {s}. Can you walk me through it?",
        "Give me an overview of {s}.",
        "What should I know about {s}?",
        "Help me understand {s}.",
        "Break down {s} for me.",
        "Describe {s} in detail.",
        "Teach me about {s}.",
        "Write a detailed explanation of {s}.",
        "Can you give me a clear explanation of {s}, with an example?",
        "I keep getting confused about {s}. Can you clarify?",
        "What's the short version of {s}?",
        "Tell me about {s}.",
        "Explain {s} as if you were teaching a class.",
        "How would you describe {s} to someone with no background?",
        "I need a solid understanding of {s} for work. Where do I start?",
        "Give me a thorough rundown of {s}.",
        "In a few paragraphs, explain {s}.",
        "What is important to understand about {s}?",
        "Could you write an explainer on {s}?",
        "Explain {s} using an analogy.",
        "What are the essentials of {s}?",
        "Walk me through {s}.",
        "Summarize what experts know about {s}.",
        "Explain {s} in under 200 words.",
        "Write a short lesson on {s} for high school students.",
        "ELI5 {s}",
        "{s} - explain please",
        "explain {s} in plain english",
        "I was reading about {s} and didn't get it. Can you help?",
        "What do I need to know about {s} for an exam?",
        "Give me an intuitive explanation of {s}, then a more technical one.",
    ),
    "list": (
        "List the key facts about {s}.",
        "What are the main points to know about {s}?",
        "Give me 10 bullet points on {s}.",
        "Make a list of the most important things about {s}.",
        "Outline {s}.",
        "Create a study outline covering {s}.",
        "What are 5 key takeaways about {s}?",
        "List some lesser-known facts about {s}.",
        "Make a cheat sheet for {s}.",
        "Give me a structured summary of {s} with headings.",
        "Bullet points please: {s}",
        "Create flashcards (question and answer) about {s}.",
        "Write 5 quiz questions about {s} with answers.",
        "What are the main subtopics of {s}?",
        "Give me a reading list to learn about {s}.",
        "What are common exam questions on {s}?",
    ),
    "why": (
        "Why does {s} matter?",
        "Why is {s} important?",
        "Why should anyone care about {s}?",
        "What makes {s} significant?",
        "Why is {s} often misunderstood?",
        "Why do textbooks spend so much time on {s}?",
        "What is the big deal about {s}?",
    ),
    "history": (
        "Give me a brief history of {e}.",
        "How did {e} come about?",
        "Trace the development of {e} over time.",
        "What is the origin story of {e}?",
        "Write a timeline of the key moments in the history of {e}.",
        "What's the backstory of {e}?",
        "How has {e} changed over the years?",
    ),
    "proscons": (
        "What are the pros and cons of {e}?",
        "Give me the advantages and disadvantages of {e}.",
        "Is {e} overrated? Give both sides.",
        "What are the strengths and weaknesses of {e}?",
        "Make a pros and cons table for {e}.",
        "What are the arguments for and against {e}?",
        "What's good and what's bad about {e}?",
    ),
    "compare": (
        "Compare {a} and {b}.",
        "What's the difference between {a} and {b}?",
        "{a} vs {b}: how do they differ?",
        "How does {a} compare to {b}?",
        "Can you contrast {a} with {b}?",
        "What do {a} and {b} have in common, and how are they different?",
        "Make a comparison table of {a} and {b}.",
        "Which is better, {a} or {b}, and why?",
        "I can never remember the difference between {a} and {b}. Help!",
        "Explain the key similarities and differences between {a} and {b}.",
        "{a} or {b}? Pros and cons of each.",
        "{a} vs {b}",
        "When would you choose {a} over {b}?",
    ),
    "summarise": (
        "Summarize {s}.",
        "Give me a one-paragraph summary of {s}.",
        "TL;DR of {s}?",
        "Summarize {s} in three sentences.",
        "What's the gist of {s}?",
        "Write an abstract-style summary of {s}.",
        "Summarize {s} for an executive audience.",
        "Briefly summarize {s}.",
        "Can you sum up {s} in a tweet?",
    ),
    "howto": (
        "How do I {t}?",
        "How can I {t}?",
        "What's the best way to {t}?",
        "Give me a step-by-step guide to {t}.",
        "I want to {t}. Where do I start?",
        "Can you help me {t}?",
        "What do I need to {t}?",
        "Walk me through how to {t}.",
        "Any tips to {t}?",
        "I've never done this before: how do I {t}?",
        "What's the easiest way to {t}?",
        "Explain how to {t}, with common pitfalls.",
        "how to {t}",
        "Quick question, how would you {t}?",
        "What's a good checklist to {t}?",
    ),
    "code": (
        "Write a {lang} function to {t}.",
        "How do I {t} in {lang}?",
        "Show me how to {t} in {lang}.",
        "Can you write {lang} code to {t}?",
        "Give me an idiomatic {lang} example that shows how to {t}.",
        "Implement a way to {t} in {lang}, with tests.",
        "I need {lang} code to {t}. Keep it simple.",
        "What's the cleanest way to {t} in {lang}?",
        "{lang}: {t}",
        "Write a {lang} script to {t} and explain each part.",
        "In {lang}, how would you {t} efficiently?",
        "Could you provide a {lang} snippet to {t}?",
        "{lang} - how to {t}?",
        "what's the {lang} way to {t}",
    ),
    "framework": (
        "In {e}, how do I {t}?",
        "Show me how to {t} in a {e} app.",
        "What's the recommended way to {t} with {e}?",
        "Write the code to {t} using {e}.",
        "{e}: how to {t}?",
        "How would you {t} in {e}? Show an example.",
        "I'm using {e} and need to {t}. What's the best approach?",
    ),
    "solve": (
        "{p}",
        "Solve: {p}",
        "Can you help me with this problem? {p}",
        "{p} Please explain how you got the answer.",
        "I'm stuck on this one: {p}",
        "Homework question: {p}",
        "{p} Show your work.",
        "Here's a problem from my textbook. {p}",
        "Solve this and explain: {p}",
        "How would I approach this? {p}",
        "{p} what's the answer?",
    ),
    "define": (
        "What is {e}?",
        "Define {e}.",
        "What does {e} mean?",
        "What exactly is {e}?",
        "Give me a definition of {e} and an example.",
        "{e}?",
        "what is {e}",
        "Can you define {e} in one sentence?",
        "Who or what is {e}?",
    ),
}

#: Follow-ups that refer back to the previous answer; ``{term}`` is a phrase from it.
FOLLOW_UPS: Final[tuple[str, ...]] = (
    "You mentioned {term}. Can you say more about that?",
    "Wait, what do you mean by {term}?",
    "Can you expand on the part about {term}?",
    "How does {term} fit into this exactly?",
    "Thanks. Could you give a concrete example of {term}?",
    "I don't fully follow the point about {term}. Can you rephrase?",
    "Going back to {term} - is that always the case?",
    "ok that makes sense. what about {term}, how does that work?",
    "Can you go deeper into {term}?",
    "Interesting. Is {term} really that important here?",
    "Could you rewrite that answer but focus more on {term}?",
    "So if I understand correctly, {term} is the key part? Why?",
    "Where can I read more about {term}?",
    "Can you make that shorter and only keep the part about {term}?",
    "Is there a common mistake people make with {term}?",
)

_GREETINGS = (
    "Hi! ", "Hey, ", "Hello, ", "Hi there. ", "Ok so ", "Question: ", "Quick question: ",
    "hey ", "Hey chat, ", "Good morning! ", "Sorry if this is basic, but ", "Serious question: ",
    "Random one: ", "Settle a debate: ", "hi, ",
)  # fmt: skip
_CONTEXTS = (
    "I'm a nursing student.", "I'm a software engineer.", "I teach high school.",
    "I'm a PhD student in a different field.", "I'm preparing for an exam next week.",
    "My kid asked me this and I had no idea.", "I'm writing a blog post.",
    "I have a presentation tomorrow.", "I'm new to this topic.", "I work in marketing.",
    "I'm studying for my finals.", "For a book club discussion,", "I'm a product manager.",
    "I'm retired and curious.", "This came up at work today.", "I'm learning on my own.",
    "For a school project:", "I'm an engineer but not in this area.",
)  # fmt: skip
_SUFFIXES = (
    " Thanks!", " Thank you.", " thx", " Please be concise.", " Keep it short.",
    " Use simple language.", " Include examples.", " Answer in bullet points.",
    " In under 300 words.", " Explain like I'm five.", " I'm a beginner.", " Be detailed.",
    " No jargon please.", " Thanks in advance!", " ty", " Cheers.", " Please.",
    " (asking for a friend)", " I appreciate it.",
)  # fmt: skip
_HARVEST_SUFFIXES = (
    " Be thorough.", " Provide a comprehensive answer.", " Include relevant examples.",
    " Cover all important aspects.", " Be precise and complete.", "",
)  # fmt: skip


def _typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    j = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    elif kind == 1:
        word = word[:j] + word[j + 1 :]
    elif kind == 2:
        word = word[:j] + word[j] + word[j:]
    else:
        word = word[:j] + rng.choice(string.ascii_lowercase) + word[j + 1 :]
    words[i] = word
    return " ".join(words)


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def humanize(rng: random.Random, text: str, level: float = 1.0) -> str:
    """Add the noise of human typing; ``level`` 0 leaves the text clean, 1 is a typical user.

    Harvesters that want to look human call this too, which is why nothing downstream can
    rely on typos or casing alone.
    """
    if level <= 0:
        return text
    r = rng.random
    if r() < 0.12 * level:
        text = pick(rng, _CONTEXTS) + " " + text
    if r() < 0.18 * level:
        text = pick(rng, _GREETINGS) + _lower_first(text)
    if r() < 0.16 * level:
        text = text.rstrip() + pick(rng, _SUFFIXES)
    if r() < 0.08 * level:
        text = _typo(rng, text)
    if r() < 0.03 * level:
        text = _typo(rng, text)
    if r() < 0.14 * level:
        text = text.lower()
    if r() < 0.18 * level and text[-1:] in ".?!":
        text = text[:-1]
    elif r() < 0.04 * level and text.endswith("?"):
        text += "?"
    if r() < 0.03 * level:
        text = text.replace(" you ", " u ").replace(" please", " pls")
    return text


def harvest_suffix(rng: random.Random) -> str:
    return pick(rng, _HARVEST_SUFFIXES)
