"""Documents for batch jobs and retrieval: reviews, tickets, invoices, articles, bios, emails,
and knowledge-base passages.

Batch jobs send one instruction over many documents, so what varies between their prompts is
the document, never the question; these generators make documents varied enough that the
batch's coverage of *documents* is wide while what it *asks* stays one thing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from guard.simulate.phrasing import pick

__all__ = [
    "BATCH_TASKS",
    "KNOWLEDGE_BASES",
    "BatchTask",
    "KnowledgeBase",
    "kb_question",
    "person_name",
    "rag_prompt",
]

_FIRST = (
    "James", "Mary", "Wei", "Aisha", "Carlos", "Yuki", "Olivia", "Mohammed", "Anna", "Lars",
    "Priya", "Jonas", "Chloe", "Mateo", "Fatima", "Ethan", "Ingrid", "Kwame", "Sara", "Dmitri",
    "Lucia", "Noah", "Mei", "Omar", "Hannah", "Pedro", "Zoe", "Arjun", "Elena", "Tomasz",
)  # fmt: skip
_LAST = (
    "Smith", "Garcia", "Chen", "Khan", "Muller", "Rossi", "Kim", "Nguyen", "Okafor", "Silva",
    "Johansson", "Dubois", "Patel", "Novak", "Tanaka", "Brown", "Kowalski", "Haddad", "Lopez",
    "Andersen", "Ivanova", "Moreau", "Singh", "Walsh", "Costa", "Fischer", "Yilmaz", "Sato",
)  # fmt: skip
_COMPANIES = (
    "Northwind Traders", "Bluepeak Labs", "Orion Logistics", "Cedar & Finch", "Helios Energy",
    "Vantage Health", "Quartz Analytics", "Riverbend Foods", "Summit Outdoor", "Kestrel Systems",
    "Maple Street Bakery", "Atlas Freight", "Lumen Optics", "Pinecrest Dental", "Nova Robotics",
    "Harbor Insurance", "Greenleaf Organics", "Ironclad Security", "Silverline Media",
    "Tidewater Marine",
)  # fmt: skip
_CITIES = (
    "Austin", "Leeds", "Lyon", "Osaka", "Pune", "Porto", "Gdansk", "Denver", "Toronto", "Melbourne",
    "Rotterdam", "Nairobi", "Monterrey", "Seville", "Tampere", "Cork", "Busan", "Curitiba",
)  # fmt: skip
_PRODUCTS = (
    "wireless earbuds", "standing desk", "air fryer", "running shoes", "yoga mat", "coffee grinder",
    "phone case", "office chair", "electric toothbrush", "hiking backpack", "LED desk lamp",
    "mechanical keyboard", "blender", "insulated water bottle", "winter jacket", "baby stroller",
    "robot vacuum", "smartwatch", "camping tent", "hair dryer", "cast iron skillet", "e-reader",
    "bluetooth speaker", "gaming mouse", "memory foam pillow", "espresso machine", "dash cam",
    "kids' bike", "rain boots", "portable charger", "noise-cancelling headphones", "webcam",
)  # fmt: skip
_GOOD = (
    "Works exactly as described.", "Battery life is excellent.", "Great value for the price.",
    "Setup took five minutes.", "Feels really solid and well made.", "My whole family loves it.",
    "Customer service was quick to answer my question.", "Much quieter than my old one.",
    "Looks even better in person.", "Would definitely buy again.", "Arrived a day early.",
)  # fmt: skip
_BAD = (
    "Stopped working after two weeks.", "The battery barely lasts a day.",
    "Cheap plastic, feels flimsy.", "Instructions were useless.", "Returned it.",
    "Much louder than advertised.", "Arrived with a cracked corner.", "Support never replied.",
    "The app keeps disconnecting.", "Not worth the money.", "Smells like chemicals.",
)  # fmt: skip
_MEH = (
    "It's fine, nothing special.", "Does the job.", "Smaller than I expected.",
    "Colour is a bit different from the photos.", "Okay for the price.",
    "Took a while to get used to it.", "Packaging was excessive.",
)  # fmt: skip
_CONTEXT = (
    "I bought this for my {rel}.", "Used it daily for {n} weeks now.", "Got it on sale.",
    "This replaced a {n}-year-old model.", "Bought it as a gift.", "Second one I've owned.",
    "Delivery took {n} days.", "",
)  # fmt: skip
_RELATIVES = ("wife", "husband", "son", "daughter", "mom", "dad", "roommate", "office")


_STREETS = ("Main St", "Harbour Rd", "Industrial Way", "King St", "Elm Ave", "Station Rd")
_PROJECTS = (
    "supply chain software",
    "cancer screening",
    "wind farm design",
    "payments fraud",
    "urban planning",
)
_FEATURES = (
    "a 2-year warranty",
    "fast charging",
    "a washable cover",
    "adjustable height",
    "a stainless steel body",
)


def person_name(rng: random.Random) -> str:
    return f"{pick(rng, _FIRST)} {pick(rng, _LAST)}"


def _fill(rng: random.Random, text: str) -> str:
    return text.format(rel=pick(rng, _RELATIVES), n=rng.randint(2, 9))


def review(rng: random.Random) -> str:
    product = pick(rng, _PRODUCTS)
    mood = rng.random()
    pool = _GOOD if mood < 0.5 else _BAD if mood < 0.8 else _MEH
    sentences = [_fill(rng, pick(rng, _CONTEXT))]
    sentences += rng.sample(pool, rng.randint(1, 3))
    if rng.random() < 0.3:
        sentences.append(pick(rng, _MEH))
    rng.shuffle(sentences)
    title = rng.choice((f"{product.capitalize()}", f"Re: {product}", "", "Honest review"))
    body = " ".join(s for s in sentences if s)
    stars = rng.randint(1, 5)
    return f"{title}\nRating: {stars}/5\n{body}".strip() if title else f"Rating: {stars}/5\n{body}"


_ISSUES = (
    "I was charged twice for order #{order}.", "I can't log in since the last update.",
    "My package {order} says delivered but I never got it.",
    "How do I change the email address on my account?",
    "The invoice for {month} shows the wrong VAT number.",
    "Your app crashes when I open the settings page on Android {n}.",
    "I want to cancel my subscription before the renewal on {month} {day}.",
    "The discount code SAVE{n}0 is not being accepted at checkout.",
    "Order {order} arrived with the wrong size, I need an exchange.",
    "I get error code E{n}0{n} when syncing my devices.",
    "Please delete all my personal data.", "Can I upgrade my plan mid-cycle?",
)  # fmt: skip
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def ticket(rng: random.Random) -> str:
    issue = pick(rng, _ISSUES).format(
        order=rng.randint(100000, 999999),
        month=pick(rng, _MONTHS),
        day=rng.randint(1, 28),
        n=rng.randint(1, 9),
    )
    lines = [f"From: {person_name(rng)}", f"Subject: {issue[:48]}", "", issue]
    if rng.random() < 0.6:
        lines.append(
            rng.choice(
                (
                    "This is the third time I'm writing about this.",
                    "Thanks for your help.",
                    "Please respond asap, it's urgent.",
                    "I've attached a screenshot.",
                    "I've been a customer for years and this is frustrating.",
                )
            )
        )
    return "\n".join(lines)


def invoice(rng: random.Random) -> str:
    vendor = pick(rng, _COMPANIES)
    currency = rng.choice(("USD", "EUR", "GBP", "CAD"))
    lines = [
        vendor,
        f"{rng.randint(1, 999)} {pick(rng, _STREETS)}, {pick(rng, _CITIES)}",
        f"INVOICE {rng.choice(('INV', 'No.', '#'))} {rng.randint(1000, 99999)}",
        f"Date: {rng.randint(1, 28)} {pick(rng, _MONTHS)} 2025",
        f"Bill to: {pick(rng, _COMPANIES)}",
        "",
    ]
    total = 0.0
    for _ in range(rng.randint(1, 5)):
        qty, price = rng.randint(1, 40), round(rng.uniform(3, 900), 2)
        total += qty * price
        item = rng.choice(
            (
                "Consulting hours",
                "Widget A-",
                "Shipping",
                "License seat",
                "Support plan",
                "Parts kit ",
            )
        )
        lines.append(
            f"{item}{rng.randint(1, 99) if item.endswith(('-', ' ')) else ''}  {qty} x {price:.2f}"
        )
    tax = round(total * rng.choice((0.0, 0.07, 0.2, 0.21)), 2)
    lines += ["", f"Tax: {tax:.2f}", f"TOTAL DUE: {total + tax:,.2f} {currency}"]
    return "\n".join(lines)


_INDUSTRIES = ("logistics", "fintech", "biotech", "retail", "clean energy", "gaming", "insurance")
_ACTIONS = (
    "open a new office in {city}", "cut {n}00 jobs", "acquire a smaller rival for ${n}00 million",
    "launch a subscription service", "delay its product launch until next year",
    "raise prices by {n} percent", "partner with a major university on research",
)  # fmt: skip
_REASONS = (
    "a weaker than expected quarter", "strong demand in Asia", "pressure from investors",
    "new regulations in the EU", "rising costs of raw materials", "a successful pilot program",
)  # fmt: skip


def article(rng: random.Random) -> str:
    company, city = pick(rng, _COMPANIES), pick(rng, _CITIES)
    n = rng.randint(1, 9)
    action = pick(rng, _ACTIONS).format(city=pick(rng, _CITIES), n=n)
    sentences = [
        f"{company}, a {pick(rng, _INDUSTRIES)} company based in {city}, said on "
        f"{rng.choice(('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'))} that it will "
        f"{action}.",
        f"The decision follows {pick(rng, _REASONS)}.",
        f"Chief executive {person_name(rng)} told reporters the company was "
        f"{rng.choice(('confident', 'cautious', 'optimistic', 'realistic'))} about the coming "
        "year.",
        f"Shares {rng.choice(('rose', 'fell', 'were flat'))} {rng.randint(1, 12)}% in early "
        "trading.",
        f"Analysts at {pick(rng, _COMPANIES)} called the move "
        f"{rng.choice(('overdue', 'bold', 'risky', 'sensible', 'surprising'))}.",
        f"The company employs about {rng.randint(2, 90)},000 people worldwide.",
    ]
    keep = sentences[:2] + rng.sample(sentences[2:], rng.randint(2, 4))
    return " ".join(keep)


def bio(rng: random.Random) -> str:
    name = person_name(rng)
    return (
        f"{name} joined {pick(rng, _COMPANIES)} in {rng.randint(1998, 2024)} after "
        f"{rng.randint(2, 15)} years at {pick(rng, _COMPANIES)} in {pick(rng, _CITIES)}. "
        f"Before that, {name.split()[0]} studied at the University of {pick(rng, _CITIES)} and "
        f"worked with {person_name(rng)} on {pick(rng, _PROJECTS)}."
    )


def email(rng: random.Random) -> str:
    if rng.random() < 0.4:
        body = rng.choice(
            (
                "Congratulations! You have been selected to receive a $1000 gift card. Click "
                "here to claim.",
                "Your account has been suspended. Verify your password within 24 hours at the "
                "link below.",
                "Limited offer: cheap meds, no prescription needed!!!",
                "Dear friend, I need your help to transfer $4.5M. You will receive 30%.",
                "Final notice: your parcel is on hold, pay the customs fee of $1.99 now.",
            )
        )
    else:
        body = rng.choice(
            (
                "Hi {n}, can we move our 1:1 to Thursday afternoon? Something came up.",
                "Attached is the Q{q} report. Let me know if the numbers look off.",
                "Reminder: the office is closed on Friday for maintenance.",
                "Thanks for the quick turnaround on the contract, {n}. Signed copy attached.",
                "Could you review the PR before standup tomorrow?",
            )
        ).format(n=pick(rng, _FIRST), q=rng.randint(1, 4))
    return f"From: {person_name(rng)}\nSubject: {body[:40]}\n\n{body}"


_PHRASES = (
    "Your order has shipped and will arrive in {n} business days.",
    "We are sorry for the inconvenience and have refunded your payment.",
    "Please restart the device and hold the power button for {n} seconds.",
    "Our store is open Monday to Saturday from 9am to {n}pm.",
    "The warranty covers manufacturing defects for {n} years.",
    "To reset your password, click the link we sent to your email.",
    "This product contains nuts and may not be suitable for people with allergies.",
    "Free returns are available within {n}0 days of purchase.",
    "The meeting has been moved to next week because of the holidays.",
    "Thank you for your feedback; we will share it with our product team.",
)  # fmt: skip


def phrase_to_translate(rng: random.Random) -> str:
    chosen = rng.sample(_PHRASES, rng.randint(1, 3))
    return " ".join(p.format(n=rng.randint(2, 9)) for p in chosen)


def listing(rng: random.Random) -> str:
    product = pick(rng, _PRODUCTS)
    return (
        f"Title: {pick(rng, _COMPANIES).split()[0]} {product} "
        f"{rng.choice(('Pro', 'Lite', 'X', '2', 'Max', ''))}\n"
        "Description: "
        f"{rng.choice(('Durable', 'Lightweight', 'Compact', 'Premium', 'Eco-friendly'))} "
        f"{product} with {pick(rng, _FEATURES)}."
    )


@dataclass(frozen=True, slots=True)
class BatchTask:
    """One instruction applied to many documents."""

    name: str
    instruction: str
    document: Callable[[random.Random], str]
    max_tokens: int
    json: bool = False


BATCH_TASKS: tuple[BatchTask, ...] = (
    BatchTask(
        "sentiment",
        "Classify the sentiment of the following product review as positive, negative, or "
        "neutral. Respond with one word only.\n\nReview:\n{doc}",
        review,
        5,
    ),
    BatchTask(
        "ticket-routing",
        "You route support tickets. Assign the ticket below to exactly one category: billing, "
        "technical, account, shipping, privacy, other. Reply with the category only.\n\n"
        "Ticket:\n{doc}",
        ticket,
        10,
    ),
    BatchTask(
        "invoice-extraction",
        "Extract the vendor, invoice number, date, total amount and currency from the invoice "
        "below. Return a JSON object with the keys vendor, invoice_number, date, total, currency."
        "\n\n{doc}",
        invoice,
        200,
        json=True,
    ),
    BatchTask(
        "translation-de",
        "Translate the following customer-facing text into German. Keep the tone polite and "
        "do not add anything.\n\n{doc}",
        phrase_to_translate,
        400,
    ),
    BatchTask(
        "translation-es",
        "Translate to Spanish (Latin America). Output only the translation.\n\n{doc}",
        phrase_to_translate,
        400,
    ),
    BatchTask(
        "news-summary",
        "Summarize the following news article in two sentences for a daily briefing.\n\n{doc}",
        article,
        150,
    ),
    BatchTask(
        "entity-extraction",
        "List every person, organization and location mentioned in the text. Return JSON: "
        '{{"people": [], "organizations": [], "locations": []}}.\n\nText: {doc}',
        bio,
        250,
        json=True,
    ),
    BatchTask(
        "spam-filter",
        "Is the following email spam or phishing? Answer 'spam' or 'ham' and nothing "
        "else.\n\n{doc}",
        email,
        3,
    ),
    BatchTask(
        "product-categorization",
        "Assign this product to one category of our taxonomy (Electronics, Home & Kitchen, "
        "Sports & Outdoors, Baby, Fashion, Health & Beauty, Office). Answer with the category "
        "name.\n\n{doc}",
        listing,
        10,
    ),
)


# ---------------------------------------------------------------------------------------------
# Knowledge bases behind retrieval-augmented (RAG) products.


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    product: str
    topics: tuple[str, ...]
    actions: tuple[str, ...]
    plans: tuple[str, ...] = ("Free", "Starter", "Pro", "Enterprise")


KNOWLEDGE_BASES: tuple[KnowledgeBase, ...] = (
    KnowledgeBase(
        "Helix CRM",
        (
            "contacts",
            "pipelines",
            "deal stages",
            "email sync",
            "custom fields",
            "reports",
            "user roles",
            "imports",
            "webhooks",
            "API keys",
            "territories",
            "forecasting",
        ),
        (
            "import contacts from a CSV",
            "merge duplicate contacts",
            "create a custom pipeline",
            "connect my Gmail account",
            "set up a webhook for new deals",
            "restrict access to a team",
            "export a report to Excel",
            "add a custom field to deals",
            "rotate an API key",
        ),
    ),
    KnowledgeBase(
        "Nimbus Drive",
        (
            "storage quota",
            "file versioning",
            "shared links",
            "offline sync",
            "two-factor login",
            "team folders",
            "retention policies",
            "desktop client",
            "trash",
            "audit logs",
        ),
        (
            "restore a deleted file",
            "share a folder with an external partner",
            "recover an old version",
            "increase my storage",
            "set a link to expire",
            "sync a folder for offline use",
            "transfer ownership of a folder",
            "turn on two-factor authentication",
        ),
    ),
    KnowledgeBase(
        "PayFlow",
        (
            "payouts",
            "refunds",
            "disputes",
            "currencies",
            "webhooks",
            "fees",
            "KYC verification",
            "payment links",
            "subscriptions",
            "tax reports",
            "test mode",
            "fraud rules",
        ),
        (
            "issue a partial refund",
            "respond to a chargeback",
            "change my payout schedule",
            "accept payments in EUR",
            "create a payment link",
            "pause a subscription",
            "download my 1099 tax form",
            "add a fraud rule for high-risk countries",
        ),
    ),
    KnowledgeBase(
        "Brightway HR handbook",
        (
            "paid time off",
            "parental leave",
            "remote work",
            "expenses",
            "equipment",
            "benefits",
            "performance reviews",
            "sick leave",
            "travel policy",
            "learning budget",
            "overtime",
        ),
        (
            "request parental leave",
            "expense a client dinner",
            "work from abroad for a month",
            "order a new laptop",
            "carry over unused vacation days",
            "claim my learning budget",
            "report a workplace concern",
            "change my benefits election",
        ),
    ),
    KnowledgeBase(
        "Riverton City Services",
        (
            "waste collection",
            "parking permits",
            "building permits",
            "property tax",
            "library cards",
            "public transit passes",
            "noise complaints",
            "street repairs",
            "pet licenses",
        ),
        (
            "apply for a residential parking permit",
            "report a pothole",
            "renew my dog license",
            "pay my property tax online",
            "book a bulky waste pickup",
            "get a building permit for a deck",
        ),
    ),
    KnowledgeBase(
        "Orbit Fitness app",
        (
            "workout plans",
            "heart rate zones",
            "device pairing",
            "subscriptions",
            "challenges",
            "nutrition tracking",
            "privacy settings",
            "family sharing",
            "offline mode",
        ),
        (
            "pair my heart rate strap",
            "cancel my subscription",
            "share my plan with my partner",
            "log a meal manually",
            "export my workout history",
            "join a team challenge",
        ),
    ),
)

_MENUS = ("Settings", "Admin", "Account", "Workspace", "Billing", "Integrations", "Profile")
_FACTS = (
    "To {action}, open {menu} > {topic_title} and follow the prompts.",
    "{Topic_title} is available on the {plan} plan and above.",
    "The maximum number of {topic} is {n}00 per workspace on the {plan} plan.",
    "Changes to {topic} take effect within {n} minutes.",
    "Administrators can {action} from the {menu} page.",
    "If you cannot {action}, check that your role has the '{topic}' permission.",
    "{Topic_title} data is kept for {n}0 days before it is permanently removed.",
    "Note: {topic} are not available in test mode.",
)  # fmt: skip


def kb_passage(rng: random.Random, kb: KnowledgeBase, action: str, topic: str) -> str:
    slots = {
        "action": action,
        "menu": pick(rng, _MENUS),
        "topic": topic,
        "topic_title": topic.capitalize(),
        "Topic_title": topic.capitalize(),
        "plan": pick(rng, kb.plans),
        "n": rng.randint(2, 9),
    }
    facts = rng.sample(_FACTS, rng.randint(2, 4))
    return " ".join(f.format(**slots) for f in facts)


def rag_prompt(rng: random.Random, kb: KnowledgeBase, question: str, action: str) -> str:
    passages = []
    for i in range(rng.randint(3, 5)):
        topic = pick(rng, kb.topics)
        text = kb_passage(rng, kb, action if i == 0 else pick(rng, kb.actions), topic)
        passages.append(f"[{i + 1}] {kb.product} docs - {topic}\n{text}")
    rng.shuffle(passages)
    return "Context:\n" + "\n\n".join(passages) + f"\n\nQuestion: {question}"


def kb_question(rng: random.Random, kb: KnowledgeBase) -> tuple[str, str]:
    action = pick(rng, kb.actions)
    topic = pick(rng, kb.topics)
    question = rng.choice(
        (
            f"How do I {action}?",
            f"how can i {action}",
            f"Is it possible to {action} on the {pick(rng, kb.plans)} plan?",
            f"What is the limit for {topic}?",
            f"I tried to {action} but it didn't work. What am I missing?",
            f"Can you explain how {topic} work?",
            f"Who can {action}?",
            f"Where do I find the {topic} settings?",
        )
    )
    return question, action
