from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest

from guard.featurize import Featurizer, estimate_tokens, hamming
from guard.featurize.featurizer import _rank
from guard.featurize.lsh import BAND_INDEX_SHIFT
from guard.models import Api, Features, PromptRequest, Turn

MASK64 = (1 << 64) - 1

SAMPLES = [
    "How does photosynthesis work?",
    "Explain the causes of World War I in detail, step by step.",
    "def f(x):\n    return x * 2  # what does this do?",
    "什么是量子计算\uff1f",
    "東京タワーの高さはどれくらいですか\uff1f",
    "¿Cómo funciona el sistema inmunológico?",
    "Привет, как работает фотосинтез?",
    "",
    "thanks!",
    "🙂🙂🙂",
    "?!",
]


@pytest.fixture(scope="module")
def featurizer() -> Featurizer:
    return Featurizer()


def request(prompt: str, *, history: tuple[str, ...] = (), system: str = "") -> PromptRequest:
    turns = tuple(Turn("user", t) for t in (*history, prompt))
    return PromptRequest(
        api=Api.OPENAI, route="openai.chat", prompt=prompt, conversation=turns, system=system
    )


def assert_valid(f: Features, bands: int = 4) -> None:
    assert 0 <= f.simhash <= MASK64
    assert 0 <= f.cell <= MASK64
    assert 0 <= f.template <= MASK64
    assert len(f.bands) == bands
    assert [b >> BAND_INDEX_SHIFT for b in f.bands] == list(range(bands))
    assert all(0 <= b <= MASK64 for b in f.bands)
    assert f.input_tokens >= 0


@pytest.mark.parametrize("text", SAMPLES)
def test_any_input_gives_well_formed_features(featurizer: Featurizer, text: str) -> None:
    assert_valid(featurizer.featurize_text(text))
    assert_valid(featurizer.featurize(request(text)))


def test_lone_surrogates_and_control_characters_do_not_break_it(featurizer: Featurizer) -> None:
    assert_valid(featurizer.featurize_text("bad \ud800 surrogate \x00\x1b[0m text"))
    assert_valid(featurizer.featurize_text("\ud800"))


def test_empty_prompts_agree_and_differ_from_content(featurizer: Featurizer) -> None:
    assert featurizer.featurize_text("") == featurizer.featurize_text("")
    assert featurizer.featurize_text("").cell != featurizer.featurize_text("photosynthesis").cell


def test_prompts_without_content_words_get_distinct_fallback_cells(
    featurizer: Featurizer,
) -> None:
    cells = {featurizer.featurize_text(t).cell for t in ("thanks!", "why?", "hello there")}
    assert len(cells) == 3
    assert featurizer.featurize_text("Thanks!!").cell == featurizer.featurize_text("thanks").cell


def test_same_prompt_same_features_and_case_punctuation_do_not_matter(
    featurizer: Featurizer,
) -> None:
    a = featurizer.featurize_text("How does photosynthesis work?")
    b = featurizer.featurize_text("how does PHOTOSYNTHESIS work")
    assert a.simhash == b.simhash
    assert a.cell == b.cell


def test_near_duplicates_share_a_band_unrelated_prompts_do_not(featurizer: Featurizer) -> None:
    base = (
        "Explain how the immune system distinguishes self from non-self, covering T cells, "
        "B cells, antigen presentation and the thymus."
    )
    near = base.replace("covering", "including")
    far = "Give me a recipe for a classic Neapolitan pizza dough with a long cold ferment."
    fb, fn, ff = (featurizer.featurize_text(t) for t in (base, near, far))
    assert hamming(fb.simhash, fn.simhash) < hamming(fb.simhash, ff.simhash)
    assert set(fb.bands) & set(fn.bands)
    assert not set(fb.bands) & set(ff.bands)


def test_rephrasings_share_a_cell_different_subjects_do_not(featurizer: Featurizer) -> None:
    same = [
        "How does photosynthesis work?",
        "Explain photosynthesis to me step by step, in full detail.",
        "Can you describe the process of photosynthesis in plants?",
    ]
    assert len({featurizer.featurize_text(t).cell for t in same}) == 1
    other = featurizer.featurize_text("What are the side effects of ibuprofen?")
    assert other.cell != featurizer.featurize_text(same[0]).cell


def test_cell_is_robust_to_harvester_wrappers(featurizer: Featurizer) -> None:
    plain = featurizer.featurize_text("Why is the sky blue?")
    wrapped = featurizer.featurize_text(
        "You are a world-class expert. Think step by step and give a complete, thorough, "
        "detailed explanation showing all of your reasoning. Question: why is the sky blue?"
    )
    assert plain.cell == wrapped.cell


def test_numbers_share_one_cell(featurizer: Featurizer) -> None:
    a = featurizer.featurize_text("What is 1234 * 5678?")
    b = featurizer.featurize_text("What is 17 * 23?")
    assert a.cell == b.cell


@pytest.mark.parametrize(
    "template",
    [
        "Explain {} in detail, with step-by-step reasoning and examples.",
        "You are an expert tutor. Write a comprehensive overview of {} for a student.",
        "What is the capital of {}?",
        "Translate '{}' into French.",
        "Summarize the following text in one sentence:\n\n{}",
    ],
)
def test_slot_filled_prompts_share_a_template(featurizer: Featurizer, template: str) -> None:
    fillers = [
        "photosynthesis",
        "the French Revolution",
        "Peru",
        "quantum entanglement of photons",
        "the theory of plate tectonics",
        "machine learning",
        "supply and demand",
        "the water cycle",
        "general relativity",
        "public key cryptography",
        "Kant's categorical imperative",
        "the theory of general relativity",
    ]
    if template.startswith("Summarize"):
        fillers = [
            " ".join(f"{word} is a word in a long pasted document" for word in fillers * 2),
            " ".join(f"sentence {i} of another article about trains" for i in range(12)),
        ]
    if "capital" in template:
        fillers = ["France", "Peru", "New Zealand", "Burkina Faso"]
    if template.startswith("Translate"):
        fillers = ["good morning", "where is the station", "I love you", "thank you very much"]
    templates = {featurizer.featurize_text(template.format(x)).template for x in fillers}
    assert len(templates) == 1


def test_different_templates_and_thin_prompts_differ(featurizer: Featurizer) -> None:
    a = featurizer.featurize_text("Explain photosynthesis in detail, with examples.")
    b = featurizer.featurize_text("Write a poem about photosynthesis for children.")
    assert a.template != b.template
    # Too little phrasing to call it a template: the content decides.
    c = featurizer.featurize_text("What is photosynthesis?")
    d = featurizer.featurize_text("What is entropy?")
    assert c.template != d.template


def test_huge_prompts_are_clipped_to_head_and_tail() -> None:
    featurizer = Featurizer(max_chars=4096)  # keeps the first 3072 and the last 1024 chars
    head = "Please summarise this report about volcanoes and magma chambers. " * 60
    tail = " Finish with three bullet points about eruption forecasting." * 20
    middle_a = "lorem ipsum dolor sit amet " * 200_000  # ~5.4 MB that is never read
    middle_b = "zebra quagga okapi giraffe " * 200_000
    a = featurizer.featurize_text(head + middle_a + tail)
    b = featurizer.featurize_text(head + middle_b + tail)
    assert (a.simhash, a.cell, a.template) == (b.simhash, b.cell, b.template)
    assert a.input_tokens > 1_000_000  # the estimate still counts everything


def test_term_cap_bounds_the_work() -> None:
    capped = Featurizer(max_terms=8)
    first = " ".join(f"word{i}x" for i in range(8))
    a = capped.featurize_text(first + " " + " ".join(f"more{i}y" for i in range(5000)))
    b = capped.featurize_text(first + " " + " ".join(f"other{i}z" for i in range(300)))
    assert (a.simhash, a.cell) == (b.simhash, b.cell)


def test_input_tokens_cover_system_and_conversation(featurizer: Featurizer) -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd" * 100) == 100
    assert estimate_tokens("量子计算" * 10) >= 40
    assert estimate_tokens("bad \ud800") > 0
    prompt = "How do I reverse a linked list?"
    alone = featurizer.featurize(request(prompt)).input_tokens
    with_history = featurizer.featurize(
        request(prompt, history=("I am learning data structures in Python.",), system="Be brief.")
    ).input_tokens
    assert with_history > alone >= estimate_tokens(prompt)
    # A request whose conversation omits the prompt still counts it exactly once.
    bare = PromptRequest(api=Api.OPENAI, route="openai.completions", prompt=prompt)
    assert featurizer.featurize(bare).input_tokens == estimate_tokens(prompt)


def test_follow_ups_lean_on_the_previous_user_turn(featurizer: Featurizer) -> None:
    first = "What are the side effects of ibuprofen?"
    follow = featurizer.featurize(request("Can I take it with alcohol?", history=(first,)))
    alone = featurizer.featurize_text("Can I take it with alcohol?")
    assert follow.cell in (alone.cell, featurizer.featurize_text(first).cell)
    # A prompt with no content words takes its context's cell.
    vague = featurizer.featurize(request("Can you explain that in more detail?", history=(first,)))
    assert vague.cell == featurizer.featurize_text(first).cell
    no_context = Featurizer(context_weight=0.0)
    assert no_context.featurize(request("Why?", history=(first,))).cell == (
        featurizer.featurize(request("Why?", history=(first,))).cell
    )


def test_seed_keys_every_hash() -> None:
    a = Featurizer(seed=1).featurize_text("How does photosynthesis work?")
    b = Featurizer(seed=2).featurize_text("How does photosynthesis work?")
    assert a.cell != b.cell and a.simhash != b.simhash and a.template != b.template


@pytest.mark.parametrize(
    "kwargs",
    [
        {"seed": -1},
        {"seed": 1 << 32},
        {"bands": 1},
        {"max_chars": 10},
        {"max_terms": 0},
        {"salient": 0},
        {"context_weight": -1.0},
    ],
)
def test_invalid_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Featurizer(**kwargs)  # type: ignore[arg-type]


def test_salient_race_and_band_count_options() -> None:
    featurizer = Featurizer(salient=3, bands=8)
    f = featurizer.featurize_text("How do black holes form from collapsing massive stars?")
    assert_valid(f, bands=8)
    assert (
        f.cell
        == featurizer.featurize_text("how do black holes form from collapsing massive stars").cell
    )


def test_a_small_cache_gives_the_same_answers() -> None:
    small, large = Featurizer(cache_size=4), Featurizer()
    for text in SAMPLES * 2:
        assert small.featurize_text(text) == large.featurize_text(text)


def test_a_small_cache_never_splits_one_term_in_two() -> None:
    """Emptying a full cache must not leave two live objects for one term (terms are counted
    by identity): "zebra" and "Zebras" must still count as one term."""
    words = "zebra zebras Zebra okapi okapis quagga giraffe giraffes lion lions".split()
    rng = random.Random(1)
    reference = Featurizer()
    for _ in range(40):
        featurizer = Featurizer(cache_size=rng.randint(2, 6))
        for _ in range(20):
            text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 6)))
            assert featurizer.featurize_text(text) == reference.featurize_text(text)


def test_features_are_identical_across_processes() -> None:
    """No ``hash()`` anywhere: another interpreter with another hash seed agrees."""
    code = (
        "import json, sys\n"
        "from guard.featurize import Featurizer\n"
        "f = Featurizer(seed=42)\n"
        "out = [[x.simhash, x.cell, list(x.bands), x.template, x.input_tokens]\n"
        "       for x in map(f.featurize_text, json.loads(sys.stdin.read()))]\n"
        "print(json.dumps(out))\n"
    )
    here = Featurizer(seed=42)
    expected = [
        [x.simhash, x.cell, list(x.bands), x.template, x.input_tokens]
        for x in map(here.featurize_text, SAMPLES)
    ]
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps(SAMPLES),
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=60,
        )
        assert json.loads(result.stdout) == expected


def test_caches_stay_bounded_in_entries_and_bytes() -> None:
    featurizer = Featurizer(cache_size=64)
    blob = "".join(chr(97 + (i * 7919) % 26) for i in range(5000))  # one 5000-letter "word"
    first = featurizer.featurize_text(f"decode this {blob} please")
    for i in range(500):
        featurizer.featurize_text(f"topic{i} subject{i} {blob[i:]}")
    assert featurizer.featurize_text(f"decode this {blob} please") == first
    for i in range(100):  # the non-ASCII word cache too
        featurizer.featurize_text(f"Übersetze{i} {blob[i:]} bitte")
    for cache in (featurizer._tokens, featurizer._words, featurizer._units):
        assert len(cache) <= 64
        assert all(len(key) <= 64 for key in cache)


def test_a_repeated_term_can_outweigh_a_heavier_single_one(featurizer: Featurizer) -> None:
    # Salience: len - 1 for unknown words, x2 at three occurrences: 6 * 2 > 11.
    heavy, light = "zqxvbnmrtkpl", "zqxvbnm"
    cell = featurizer.featurize_text(f"{heavy} {light} {light} {light}").cell
    assert cell == featurizer.featurize_text(light).cell
    assert featurizer.featurize_text(f"{heavy} {light} {light}").cell == (
        featurizer.featurize_text(heavy).cell  # 6 * 1.5 < 11
    )


def test_long_prompts_read_only_the_terms_they_need() -> None:
    """Piecewise splitting gives exactly the first max_terms terms of the capped words."""
    featurizer = Featurizer(max_terms=16)  # word cap: first 48 and last 16 words
    words = [f"w{i}rd" for i in range(40)]
    cases = [
        " ".join(words),  # enough terms early
        " ".join(["the of and"] * 30 + words),  # stop words first: more pieces
        " ".join(["the. of! and?"] * 40 + words),  # past the word cap: the exact path
        "Why? " * 100,  # no terms at all
    ]
    for text in cases:
        seq, tokens, _ = featurizer._read(text)
        plain = [t for t in text.lower().replace(".", " ").replace("!", " ").split()]
        plain = [w.strip("?") for w in plain]
        capped = plain[:48] + plain[-16:] if len(plain) > 64 else plain
        expected = [featurizer._tokens[w.encode()] for w in capped]
        assert seq == [t for t in expected if t is not None][:16]
        assert seq or tokens  # a prompt without terms keeps its tokens for the fallback


def test_template_reads_the_same_tokens_whatever_the_path(featurizer: Featurizer) -> None:
    texts = [
        "Explain photosynthesis in detail, with examples.",
        "What is the capital of France? Answer briefly.",
        'Translate "good morning" into French.',  # masked: read separately
        "Summarize this:\n\n" + "word " * 50,  # a pasted paragraph: read separately
        " ".join(f"topic{i} of the day." for i in range(60)),  # head and tail only
        "東京タワーの高さはどれくらいですか\uff1f Erklären Sie Wärmepumpen.",  # NFKC form reused
        "Qu'est-ce que la «photosynthèse» ?",  # passed, but not used: quotes are masked
    ]
    assert isinstance(featurizer._read(texts[0])[2], list)
    assert isinstance(featurizer._read(texts[5])[2], str)
    assert featurizer._read(texts[2])[2] is not None  # passed, but not used: quotes are masked
    for text in texts:
        reuse = featurizer._read(text)[2]
        assert featurizer._templates(text, reuse) == featurizer._templates(text, None)


def test_rank_orders_like_weight_then_smaller_hash() -> None:
    rng = random.Random(5)
    weights = [0.0, 0.25, 0.35 * 6, 0.6 * 3.5, 2.1, 3.0, 11.0, 1e-300, 5e300]
    pairs = [(rng.choice(weights), rng.getrandbits(64)) for _ in range(400)]
    pairs += [(2.1, 0), (2.1, MASK64), (0.0, 0)]
    by_rank = sorted(pairs, key=lambda p: _rank(*p))
    assert by_rank == sorted(pairs, key=lambda p: (p[0], -p[1]))
    assert all(_rank(w, h) & MASK64 == MASK64 ^ h for w, h in pairs)


def test_runners_up_name_what_else_the_prompt_is_about(featurizer: Featurizer) -> None:
    frame = "Generate a high-quality instructional response for the following prompt.\n\nPrompt: "
    one = featurizer.featurize_text(frame + "How do glaciers carve fjords?")
    two = featurizer.featurize_text(frame + "Why did the Byzantine empire decline?")
    assert one.cell == two.cell  # the frame's heaviest word names both cells
    assert len(one.runners_up) == 2 and one.cell not in one.runners_up
    # The subjects are among the next heaviest words, and tell the prompts apart.
    subject = featurizer.featurize_text("glaciers fjords").cell
    assert subject in one.runners_up or featurizer.featurize_text("fjords").cell in one.runners_up
    assert set(one.runners_up) != set(two.runners_up)
    assert featurizer.featurize_text("photosynthesis").runners_up == ()
