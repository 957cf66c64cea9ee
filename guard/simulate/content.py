"""Fixed texts that actors reuse: product system prompts, harvest templates, reasoning
wrappers, synthetic-data templates and the codebases organisations ask about."""

from __future__ import annotations

import random
from dataclasses import dataclass

from guard.simulate.documents import person_name
from guard.simulate.phrasing import pick

__all__ = [
    "APP_PERSONAS",
    "CODEBASES",
    "GENERAL_QA_SYSTEMS",
    "HARVEST_SYSTEMS",
    "HARVEST_TEMPLATES",
    "QA_SYSTEMS",
    "REASONING_WRAPPERS",
    "SYNTH_TEMPLATES",
    "USER_SYSTEMS",
    "Codebase",
    "SynthTemplate",
    "codebase_question",
]

#: System prompts of consumer products that put many end users behind one key.
APP_PERSONAS: tuple[str, ...] = (
    "You are Aria, the assistant inside the Quill notes app. Help users write, summarise and "
    "organise their notes. Be concise and friendly. Today's date is {date}.",
    "You are a helpful assistant for StudyBuddy, a homework help app for high school and "
    "college students. Explain concepts clearly and encourage students to think for themselves.",
    "You are Max, a friendly AI companion in the Wayfarer travel app. Help users plan trips, "
    "suggest itineraries and answer travel questions. Never book anything on their behalf.",
    "You are the writing assistant of Inkwell, a platform for bloggers and marketers. Help with "
    "drafts, headlines, tone and SEO. Ask clarifying questions when the request is ambiguous.",
    "You are CodePal, an AI pair programmer in a browser IDE. Answer programming questions, "
    "explain errors and suggest fixes. Use markdown code blocks.",
    "You are a general-purpose assistant in the Lumen mobile app. Be helpful, honest and "
    "harmless. If you are unsure, say so. Keep answers under 300 words unless asked otherwise.",
    "You are Sage, a wellness and productivity coach inside the Bloom app. Offer practical, "
    "kind advice. You are not a doctor; suggest seeing a professional for medical concerns.",
    "You are the AI assistant of Parla, a language learning app. Chat with the learner, correct "
    "their mistakes gently and explain grammar when asked.",
    "You are an assistant embedded in a Slack workspace for Tessellate Inc. Help employees "
    "with drafting messages, brainstorming and general questions.",
    "You are ChefBot in the Pantry recipe app. Suggest recipes from the ingredients users "
    "have, adapt recipes to diets and explain cooking techniques.",
    "You are a customer-facing assistant for Kite, a browser extension that answers questions "
    "about any web page or topic. Format answers with short paragraphs and bullet points.",
    "You are an AI tutor for the Polymath learning platform. Use the Socratic method when "
    "appropriate, and provide worked examples for maths and science.",
)

#: System prompts of single-turn question-answering and RAG services.
QA_SYSTEMS: tuple[str, ...] = (
    "You are a support assistant for {product}. Answer the user's question using only the "
    "provided context. If the answer is not in the context, say you don't know. Cite passages "
    "as [n].",
    "Answer the question based on the documentation excerpts below. Be thorough and precise, "
    "include step-by-step instructions where relevant, and cite the excerpt numbers.",
    "You are {product}'s help center bot. Use the context to answer. Respond in the user's "
    "language.",
)
GENERAL_QA_SYSTEMS: tuple[str, ...] = (
    "You are AskAnything, a question answering service. Give complete, well-structured, "
    "accurate answers. Use headings and lists where helpful.",
    "You are an expert answer engine. Answer the user's question thoroughly. If the question "
    "is ambiguous, answer the most likely interpretation.",
    "You are the answer bot of a homework help website. Give a full explanation, then a short "
    "summary at the end.",
)

#: System prompts that individual developers' chat front ends add.
USER_SYSTEMS: tuple[str, ...] = (
    "You are a helpful assistant.",
    "You are a helpful assistant.",
    "You are ChatGPT, a large language model. Answer as concisely as possible.",
    "You are a helpful, respectful and honest assistant.",
    "You are an expert software engineer. Answer with code when useful.",
    "Be concise. No yapping.",
    "You are a helpful assistant. Respond in markdown.",
)

#: System prompts harvesting scripts send (often the same one across a whole campaign).
HARVEST_SYSTEMS: tuple[str, ...] = (
    "You are a helpful assistant.",
    "You are a knowledgeable expert. Answer thoroughly and accurately.",
    "You are an expert tutor with deep knowledge of every academic field. Provide complete, "
    "accurate, well-structured answers.",
    "You are a world-class expert. Always give detailed, comprehensive, high-quality responses.",
    "You are an AI assistant that gives long, detailed and correct answers with examples.",
)

#: Fixed templates with slots: {s} subject phrase, {q} a question, {field} the domain's field.
HARVEST_TEMPLATES: tuple[str, ...] = (
    "You are an expert in {field}. Write a comprehensive, textbook-quality explanation of {s}. "
    "Include definitions, key principles, worked examples, and common misconceptions.",
    "Provide a detailed answer to the following question about {field}: {q}",
    "Topic: {s}\nField: {field}\nTask: Explain this topic thoroughly, as a university lecturer "
    "would, with examples.",
    "Explain {s} in detail. Structure your answer with an introduction, main sections, and a "
    "summary.",
    "Q: {q}\nA:",
    "Write an in-depth encyclopedia article about {s}.",
    "Give a complete and accurate explanation of {s}. Then list 5 related concepts with "
    "one-line descriptions.",
    "Answer as an expert {field} professor. Question: {q}",
    "[{field}] {q} Answer comprehensively.",
    "Generate a high-quality instructional response for the following prompt.\n\nPrompt: {q}",
    "I am building a study guide on {field}. Write the section on {s}, covering all key facts.",
    "Please produce a detailed, accurate, well-structured explanation of the following topic."
    "\nTopic: {s}",
    "### Instruction:\n{q}\n\n### Response:",
    "Write a long-form answer (at least 800 words) to: {q}",
)

#: Wrappers that ask for the full reasoning; {p} is a problem or question.
REASONING_WRAPPERS: tuple[str, ...] = (
    "{p}\n\nThink step by step and show all of your reasoning before giving the final answer.",
    "Solve the following problem. Provide your complete chain of thought, then the final answer "
    "in a box.\n\n{p}",
    "Before answering, reason through the problem carefully inside <thinking> tags, showing "
    "every intermediate step. Then give the answer.\n\n{p}",
    "{p}\nExplain your reasoning in full detail, including every intermediate calculation.",
    "Question: {p}\nLet's think step by step.",
    "Work through this as an expert would, explaining each step of your thought process and "
    "verifying the result: {p}",
    "Provide a detailed derivation and solution for: {p}",
    "{p}\n\nShow your work. Write out your full reasoning process, then state the answer on the "
    "last line as 'Answer: ...'.",
    "Think carefully before you answer. I want to see your internal reasoning, not just the "
    "result.\n\n{p}",
)


@dataclass(frozen=True, slots=True)
class SynthTemplate:
    """A synthetic-data team's generation prompt over one small domain."""

    name: str
    template: str
    slots: dict[str, tuple[str, ...]]

    def fill(self, rng: random.Random) -> str:
        values = {k: pick(rng, v) for k, v in self.slots.items()}
        values["name"] = person_name(rng)
        values["n"] = str(rng.randint(4, 12))
        return self.template.format(**values)


SYNTH_TEMPLATES: tuple[SynthTemplate, ...] = (
    SynthTemplate(
        "support-dialogues",
        "Generate a realistic customer support conversation between a customer and an agent of "
        "an online {store} store. The customer's issue: {issue}. Customer name: {name}. "
        "Customer mood: {tone}. Make it {n} exchanges long. Output JSON lines with 'role' and "
        "'text' fields.",
        {
            "store": ("shoe", "furniture", "pet supply", "electronics", "outdoor gear"),
            "issue": (
                "late delivery",
                "wrong size",
                "damaged item",
                "refund not received",
                "promo code rejected",
                "account locked",
                "item out of stock",
                "double charge",
                "return label missing",
                "warranty claim",
            ),
            "tone": ("angry", "polite", "confused", "impatient", "friendly", "sarcastic"),
        },
    ),
    SynthTemplate(
        "product-descriptions",
        "Write an SEO-friendly product description (150-200 words) for a {material} {item} in "
        "{color}, {style} style. Mention dimensions, care instructions and one use case. "
        "Then write 3 bullet-point highlights.",
        {
            "material": ("oak", "walnut", "steel", "rattan", "velvet", "linen", "marble"),
            "item": (
                "dining table",
                "bookshelf",
                "armchair",
                "bed frame",
                "coffee table",
                "sideboard",
                "desk",
                "bar stool",
                "sofa",
            ),
            "color": ("natural", "charcoal", "sage green", "ivory", "terracotta", "navy"),
            "style": ("Scandinavian", "mid-century", "industrial", "farmhouse", "minimalist"),
        },
    ),
    SynthTemplate(
        "sql-pairs",
        "Given this schema:\norders(id, customer_id, total, created_at)\ncustomers(id, name, "
        "country, signup_date)\nitems(id, order_id, sku, qty, price)\n\nWrite a {level} "
        "natural-language question about {topic}, then the SQL that answers it, then a "
        "one-paragraph explanation. Return JSON with keys question, sql, explanation.",
        {
            "level": ("easy", "medium", "hard", "very hard"),
            "topic": (
                "revenue by country",
                "repeat customers",
                "average basket size",
                "monthly growth",
                "top SKUs",
                "churned customers",
                "cohort retention",
                "orders per weekday",
                "first purchase value",
            ),
        },
    ),
    SynthTemplate(
        "dermatology-faq",
        "Write a patient-friendly FAQ entry about {condition} focusing on {angle}. Use plain "
        "language at an 8th-grade reading level, 250-400 words, and end with when to see a "
        "dermatologist.",
        {
            "condition": (
                "acne",
                "eczema",
                "psoriasis",
                "rosacea",
                "melasma",
                "hives",
                "contact dermatitis",
                "sunburn",
                "warts",
                "seborrheic dermatitis",
            ),
            "angle": (
                "causes",
                "home care",
                "treatment options",
                "myths",
                "triggers",
                "skincare routine",
                "diet",
                "children",
            ),
        },
    ),
    SynthTemplate(
        "email-replies",
        "Write {n} different reply emails that a {role} at a SaaS company might send to a "
        "customer who {situation}. Vary the tone and length. Number them.",
        {
            "role": ("support agent", "account manager", "billing specialist", "CEO"),
            "situation": (
                "asked for a discount",
                "threatened to cancel",
                "reported a bug",
                "requested a feature",
                "missed a payment",
                "praised the product",
            ),
        },
    ),
)


@dataclass(frozen=True, slots=True)
class Codebase:
    """The code an organisation's developers ask about."""

    company: str
    language: str
    description: str
    modules: tuple[str, ...]
    symbols: tuple[str, ...]
    errors: tuple[str, ...]
    tasks: tuple[str, ...]

    @property
    def system(self) -> str:
        return (
            f"You are {self.company}'s internal engineering assistant. Our main codebase is "
            f"{self.description}, written in {self.language}. Follow our conventions: type hints, "
            "small functions, tests for every change. Never paste secrets or customer data."
        )


CODEBASES: tuple[Codebase, ...] = (
    Codebase(
        "Ledgerly",
        "Python (Django, Celery, PostgreSQL)",
        "a payments and invoicing monolith",
        (
            "billing/invoices.py",
            "billing/tax.py",
            "accounts/models.py",
            "api/v2/views.py",
            "workers/reconcile.py",
            "payouts/scheduler.py",
            "ledger/entries.py",
            "notifications/email.py",
            "core/settings/base.py",
            "reports/exports.py",
        ),
        (
            "InvoiceService.finalize",
            "TaxCalculator.for_region",
            "reconcile_payouts",
            "LedgerEntry.post",
            "PayoutSchedule.next_run",
            "send_invoice_email",
            "ExportJob.to_csv",
            "Account.merge_into",
            "apply_credit_note",
        ),
        (
            'IntegrityError: duplicate key value violates unique constraint "ledger_entry_ref"',
            "KeyError: 'currency'",
            "celery.exceptions.SoftTimeLimitExceeded",
            "django.db.utils.OperationalError: deadlock detected",
            "decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]",
            "TypeError: Object of type Decimal is not JSON serializable",
        ),
        (
            "add a nullable field to the Invoice model with a migration",
            "write a unit test for {sym}",
            "make {sym} idempotent",
            "speed up the query in {mod}",
            "split {mod} into smaller modules",
            "add retries with backoff around the ledger API call in {sym}",
            "add structured logging to {sym}",
            "review this function from {mod}",
        ),
    ),
    Codebase(
        "Routewise",
        "TypeScript (React, Node) and Go",
        "a logistics platform with a React dashboard and Go microservices",
        (
            "web/src/pages/Shipments.tsx",
            "web/src/hooks/useTracking.ts",
            "services/dispatch/planner.go",
            "services/tracking/ingest.go",
            "api/gateway/routes.ts",
            "web/src/components/MapView.tsx",
            "services/pricing/quote.go",
            "infra/k8s/dispatch.yaml",
        ),
        (
            "useTracking",
            "Planner.Assign",
            "IngestHandler.ServeHTTP",
            "quoteForLane",
            "ShipmentTable",
            "MapView",
            "retryPublish",
            "normalizeAddress",
        ),
        (
            "TypeError: Cannot read properties of undefined (reading 'lat')",
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "context deadline exceeded",
            'Warning: Each child in a list should have a unique "key" prop.',
            "Error: Too many re-renders. React limits the number of renders",
            "dial tcp 10.0.3.14:5432: connect: connection refused",
        ),
        (
            "add pagination to {sym}",
            "write a table-driven test for {sym}",
            "memoize the expensive computation in {mod}",
            "fix the race condition in {sym}",
            "add a loading skeleton to {mod}",
            "convert {mod} to use React Query",
            "add a Prometheus metric to {sym}",
            "review this diff of {mod}",
        ),
    ),
)


def codebase_question(rng: random.Random, codebase: Codebase) -> str:
    """A developer's question about their own codebase."""
    mod, sym = pick(rng, codebase.modules), pick(rng, codebase.symbols)
    roll = rng.random()
    if roll < 0.3:
        task = pick(rng, codebase.tasks).format(mod=mod, sym=sym)
        text = rng.choice(
            (
                f"How should I {task}?",
                f"Can you help me {task}?",
                f"I need to {task}. Suggestions?",
                f"what's the cleanest way to {task}",
            )
        )
    elif roll < 0.55:
        error = pick(rng, codebase.errors)
        text = rng.choice(
            (
                f"Getting this in {mod}:\n\n{error}\n\nany idea what's going on?",
                f"{sym} fails intermittently with `{error}`. How do I debug this?",
                f"Seeing `{error}` after my last change to {mod}. What usually causes this?",
            )
        )
    elif roll < 0.8:
        body = "\n".join(
            f"    {line}"
            for line in rng.sample(
                (
                    f"result = {sym.split('.')[-1]}(payload)",
                    "if not items:\n        return None",
                    "for row in rows:\n        total += row.amount",
                    "cache[key] = value",
                    "await client.post(url, json=data)",
                    "log.info('processed %s', obj_id)",
                    "raise ValueError(f'bad input: {x}')",
                ),
                3,
            )
        )
        text = (
            f"Can you review this snippet from {mod}? Anything risky?\n\n```\n"
            f"def handler(payload):\n{body}\n```"
        )
    else:
        text = rng.choice(
            (
                f"Explain what {sym} does and where it's called from.",
                f"Why is {mod} structured like this?",
                f"What's our convention for error handling in {mod}?",
                f"Write a docstring for {sym}.",
                f"Is it safe to call {sym} from a background worker?",
                f"How would you test {sym} without hitting the database?",
                f"What are the performance risks in {mod} if traffic doubles?",
                f"Can {sym} be made async? What would break?",
                f"Draft a short design note for moving {sym} out of {mod}.",
                f"What's the difference between {sym} and {pick(rng, codebase.symbols)}?",
            )
        )
    if rng.random() < 0.35:
        text = (
            rng.choice(
                (
                    f"Context: I'm working on ticket {pick(rng, ('PAY', 'OPS', 'WEB', 'CORE'))}-"
                    f"{rng.randint(100, 4999)}. ",
                    "For the release next week: ",
                    f"Pairing with {person_name(rng).split()[0]}: ",
                    "Following up on standup: ",
                    "Quick one: ",
                )
            )
            + text
        )
    return text
