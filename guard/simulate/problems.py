"""Numeric problems with random parameters: maths, physics, chemistry, finance, statistics.

Reasoning harvesters and benchmark runs both send problems; drawing the numbers at random
makes every problem distinct, as a real problem set is, so exact-duplicate tricks cannot
tell them apart.
"""

from __future__ import annotations

import random
from collections.abc import Callable

__all__ = ["PROBLEMS", "WORD_PROBLEMS", "problem"]

Generator = Callable[[random.Random], str]

_NAMES = (
    "Alice", "Bob", "Priya", "Chen", "Fatima", "Lucas", "Sofia", "Kenji", "Amara", "Diego",
    "Olga", "Tom", "Maria", "Yusuf", "Hana", "Leo", "Nadia", "Sam", "Ines", "Ravi",
)  # fmt: skip
_VARS = ("x", "y", "t", "n", "z")


def _coef(rng: random.Random, low: int = -9, high: int = 9) -> int:
    value = 0
    while value == 0:
        value = rng.randint(low, high)
    return value


def _poly(rng: random.Random, degree: int, var: str = "x") -> str:
    terms: list[str] = []
    for power in range(degree, -1, -1):
        c = rng.randint(-9, 9) if power < degree else _coef(rng, 1, 9)
        if c == 0:
            continue
        sign = "-" if c < 0 else "+"
        mag = abs(c)
        body = f"{mag if mag != 1 or power == 0 else ''}"
        if power >= 1:
            body += var if power == 1 else f"{var}^{power}"
        terms.append(f"{sign} {body}")
    text = " ".join(terms) or "0"
    return text[2:] if text.startswith("+ ") else "-" + text[2:]


def _linear(rng: random.Random) -> str:
    v = rng.choice(_VARS)
    a, b, c = _coef(rng), rng.randint(-20, 20), rng.randint(-40, 40)
    return rng.choice(
        (
            f"Solve for {v}: {a}{v} + {b} = {c}",
            f"Find {v} if {a}{v} - {abs(b)} = {c}.",
            f"What value of {v} satisfies {a}({v} + {b}) = {c}?",
        )
    )


def _quadratic(rng: random.Random) -> str:
    r1, r2 = rng.randint(-9, 9), rng.randint(-9, 9)
    a = rng.choice((1, 1, 2, 3))
    b, c = -a * (r1 + r2), a * r1 * r2
    lead = a if a > 1 else ""
    eq = f"{lead}x^2 {'+' if b >= 0 else '-'} {abs(b)}x {'+' if c >= 0 else '-'} {abs(c)} = 0"
    return rng.choice(
        (
            f"Solve the quadratic equation {eq}.",
            f"Find all real roots of {eq} and verify them.",
            f"Factor and solve: {eq}",
            f"Use the quadratic formula to solve {eq}.",
        )
    )


def _system(rng: random.Random) -> str:
    x, y = rng.randint(-6, 9), rng.randint(-6, 9)
    a, b, c, d = _coef(rng, 1, 7), _coef(rng), _coef(rng), _coef(rng, 1, 7)
    while a * d - b * c == 0:
        d += 1
    return (
        f"Solve the system of equations: {a}x + {b}y = {a * x + b * y} and "
        f"{c}x + {d}y = {c * x + d * y}."
    )


def _derivative(rng: random.Random) -> str:
    inner = _poly(rng, rng.randint(1, 3))
    f = rng.choice(
        (
            _poly(rng, rng.randint(2, 5)),
            f"sin({inner})",
            f"e^({inner})",
            f"ln({inner})",
            f"({inner}) * cos(x)",
            f"({_poly(rng, 2)}) / ({_poly(rng, 1)})",
            f"sqrt({inner})",
        )
    )
    return rng.choice(
        (
            f"Differentiate f(x) = {f}.",
            f"Find the derivative of {f} with respect to x.",
            f"What is d/dx of {f}? Show the rule you use at each step.",
        )
    )


def _integral(rng: random.Random) -> str:
    lo = rng.randint(-3, 2)
    hi = lo + rng.randint(1, 5)
    f = rng.choice(
        (
            _poly(rng, rng.randint(1, 4)),
            f"x * e^({_coef(rng, 1, 4)}x)",
            f"sin({_coef(rng, 1, 5)}x)^2",
            f"1 / (x^2 + {rng.randint(1, 16)})",
            f"x * ln(x + {rng.randint(1, 5)})",
        )
    )
    return rng.choice(
        (
            f"Evaluate the integral of {f} dx from {lo} to {hi}.",
            f"Find the indefinite integral of {f}.",
            f"Compute the definite integral from x = {lo} to x = {hi} of {f}.",
        )
    )


def _limit(rng: random.Random) -> str:
    a = rng.randint(-5, 5)
    k = _coef(rng, 1, 6)
    return rng.choice(
        (
            f"Find the limit as x approaches {a} of (x^2 - {a * a}) / (x - {a}).",
            f"Evaluate lim x->0 of sin({k}x) / x.",
            f"What is the limit as n goes to infinity of (1 + {k}/n)^n?",
            f"Compute lim x->infinity of ({_poly(rng, 2)}) / ({_poly(rng, 2)}).",
        )
    )


def _series(rng: random.Random) -> str:
    r = rng.choice(("1/2", "1/3", "2/3", "3/4", "1/5", "-1/2"))
    p = rng.choice((1, 2, 3, "1/2", "3/2"))
    return rng.choice(
        (
            f"Does the series sum of 1/n^{p} for n = 1 to infinity converge? Justify your answer.",
            f"Find the sum of the geometric series {rng.randint(1, 9)} * ({r})^n for n = 0 to "
            "infinity.",
            f"Write the first {rng.randint(4, 7)} terms of the Taylor series of "
            f"{rng.choice(('e^x', 'sin x', 'cos x', 'ln(1 + x)', '1/(1 - x)'))} around x = 0.",
        )
    )


def _matrix(rng: random.Random) -> str:
    size = rng.choice((2, 2, 3))
    rows = [[rng.randint(-5, 9) for _ in range(size)] for _ in range(size)]
    m = "[" + "; ".join(" ".join(str(v) for v in row) for row in rows) + "]"
    return rng.choice(
        (
            f"Compute the determinant of the matrix {m}.",
            f"Find the eigenvalues of {m}.",
            f"Find the inverse of the matrix {m}, if it exists.",
            f"Is the matrix {m} diagonalizable? Explain.",
        )
    )


def _gcd(rng: random.Random) -> str:
    g = rng.randint(2, 30)
    a, b = g * rng.randint(2, 40), g * rng.randint(2, 40)
    return rng.choice(
        (
            f"Find the greatest common divisor of {a} and {b} using the Euclidean algorithm.",
            f"What is the least common multiple of {a} and {b}?",
            f"Find integers x and y such that {a}x + {b}y = gcd({a}, {b}).",
        )
    )


def _modular(rng: random.Random) -> str:
    m = rng.choice((7, 11, 13, 17, 19, 23, 29, 31, 97))
    return rng.choice(
        (
            f"Compute {rng.randint(2, 12)}^{rng.randint(20, 200)} mod {m}.",
            f"Find the inverse of {rng.randint(2, m - 1)} modulo {m}.",
            f"Solve {rng.randint(2, 9)}x = {rng.randint(1, m - 1)} (mod {m}).",
        )
    )


def _geometry(rng: random.Random) -> str:
    a, b = rng.randint(3, 30), rng.randint(3, 30)
    r = rng.randint(2, 25)
    return rng.choice(
        (
            f"A right triangle has legs of length {a} and {b}. Find the hypotenuse and the area.",
            f"Find the area and circumference of a circle with radius {r} cm.",
            f"A rectangle has a perimeter of {2 * (a + b)} m and one side of {a} m. What is its "
            "area?",
            f"A cone has radius {r} and height {a}. What is its volume?",
            f"In triangle ABC, angle A is {rng.randint(20, 80)} degrees and angle B is "
            f"{rng.randint(20, 80)} degrees; side a is {a}. Find side b.",
            f"A sphere has a surface area of {rng.randint(100, 2000)} square units. Find its "
            "volume.",
        )
    )


def _combinatorics(rng: random.Random) -> str:
    n, k = rng.randint(6, 20), rng.randint(2, 5)
    return rng.choice(
        (
            f"In how many ways can a committee of {k} be chosen from {n} people?",
            f"How many distinct arrangements are there of the letters in the word "
            f"'{rng.choice(('MISSISSIPPI', 'BANANA', 'STATISTICS', 'COMMITTEE', 'ALGEBRA'))}'?",
            f"How many {k}-digit PIN codes have no repeated digits?",
            f"{n} people shake hands with each other exactly once. How many handshakes are there?",
            f"How many ways can {k} identical balls be put into {rng.randint(2, 6)} distinct "
            "boxes?",
        )
    )


def _sequence(rng: random.Random) -> str:
    a, d = rng.randint(-10, 20), _coef(rng)
    terms = ", ".join(str(a + i * d) for i in range(5))
    return rng.choice(
        (
            f"Find the {rng.randint(20, 200)}th term of the sequence {terms}, ...",
            f"What is the sum of the first {rng.randint(10, 100)} terms of {terms}, ...?",
            f"Prove by induction that 1 + 2 + ... + n = n(n+1)/2, then use it to sum 1 to "
            f"{rng.randint(50, 1000)}.",
        )
    )


def _probability(rng: random.Random) -> str:
    r, b = rng.randint(2, 10), rng.randint(2, 10)
    return rng.choice(
        (
            f"A bag has {r} red and {b} blue marbles. Two are drawn without replacement. "
            "What is the probability both are red?",
            f"If you roll {rng.randint(2, 4)} fair dice, what is the probability the sum is "
            f"{rng.randint(6, 15)}?",
            f"A test is {rng.randint(90, 99)}% accurate for a disease with {rng.randint(1, 5)}% "
            "prevalence. If someone tests positive, what is the probability they have it?",
            f"What is the probability of getting at least one six in {rng.randint(3, 10)} rolls "
            "of a die?",
            f"Two cards are drawn from a standard deck. What is the probability both are "
            f"{rng.choice(('aces', 'hearts', 'face cards', 'the same suit'))}?",
        )
    )


def _descriptive(rng: random.Random) -> str:
    data = ", ".join(str(rng.randint(1, 99)) for _ in range(rng.randint(6, 12)))
    return rng.choice(
        (
            f"Find the mean, median and standard deviation of: {data}",
            f"Compute the interquartile range of the data set {data} and identify any outliers.",
            f"Given the values {data}, what are the variance and the mode?",
        )
    )


def _binomial(rng: random.Random) -> str:
    n, p = rng.randint(5, 30), rng.choice((0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6))
    return (
        f"A coin with P(heads) = {p} is flipped {n} times. What is the probability of exactly "
        f"{rng.randint(1, n)} heads, and what are the mean and variance of the count?"
    )


def _z_test(rng: random.Random) -> str:
    mu, sigma, n = rng.randint(50, 200), rng.randint(5, 30), rng.randint(20, 200)
    xbar = mu + rng.choice((-1, 1)) * round(rng.uniform(0.5, 6), 1)
    return (
        f"A sample of {n} has a mean of {xbar}. The population mean is claimed to be {mu} with "
        f"standard deviation {sigma}. Test the claim at the {rng.choice((1, 5, 10))}% level."
    )


def _kinematics(rng: random.Random) -> str:
    v0, a, t = rng.randint(0, 30), round(rng.uniform(0.5, 9.8), 1), rng.randint(2, 20)
    return rng.choice(
        (
            f"A car starts at {v0} m/s and accelerates at {a} m/s^2 for {t} s. How far does it "
            "travel?",
            f"A ball is dropped from a height of {rng.randint(5, 200)} m. How long until it "
            "hits the ground?",
            f"A train slows from {rng.randint(20, 80)} m/s to rest over "
            f"{rng.randint(200, 2000)} m. "
            "What is its deceleration?",
        )
    )


def _projectile(rng: random.Random) -> str:
    v, angle = rng.randint(10, 60), rng.randint(15, 75)
    return (
        f"A projectile is launched at {v} m/s at {angle} degrees above the horizontal. Find its "
        "maximum height, time of flight and range (ignore air resistance)."
    )


def _circuit(rng: random.Random) -> str:
    r1, r2, r3 = rng.randint(1, 100), rng.randint(1, 100), rng.randint(1, 100)
    v = rng.choice((3.3, 5, 9, 12, 24, 120))
    return rng.choice(
        (
            f"Resistors of {r1}, {r2} and {r3} ohms are connected in parallel across {v} V. "
            "Find the total current.",
            f"A {r1} ohm and a {r2} ohm resistor are in series with a {v} V battery. What is the "
            f"voltage across the {r1} ohm resistor?",
            f"An RC circuit has R = {r1} kOhm and C = {r2} uF. What is the time constant and "
            "how long "
            "until the capacitor reaches 90% charge?",
        )
    )


def _energy(rng: random.Random) -> str:
    m, h, v = rng.randint(1, 500), rng.randint(1, 100), rng.randint(1, 40)
    return rng.choice(
        (
            f"A {m} kg object is lifted {h} m. How much work is done against gravity?",
            f"What is the kinetic energy of a {m} kg cart moving at {v} m/s?",
            f"A {m} kg roller coaster starts from rest at {h} m. What is its speed at the bottom?",
        )
    )


def _optics(rng: random.Random) -> str:
    f, d = rng.randint(5, 50), rng.randint(10, 200)
    return rng.choice(
        (
            f"An object is {d} cm from a converging lens with focal length {f} cm. Where is the "
            "image "
            "and what is the magnification?",
            f"Light passes from air into glass (n = 1.{rng.randint(40, 70)}) at "
            f"{rng.randint(10, 70)} "
            "degrees incidence. Find the refraction angle.",
        )
    )


def _stoichiometry(rng: random.Random) -> str:
    g = rng.randint(5, 500)
    return rng.choice(
        (
            f"How many moles are in {g} g of "
            f"{rng.choice(('NaCl', 'H2O', 'CO2', 'C6H12O6', 'CaCO3', 'H2SO4', 'NH3'))}?",
            f"If {g} g of methane burns completely, what mass of CO2 is produced?",
            f"What mass of NaOH is needed to neutralize {rng.randint(10, 500)} mL of "
            f"{rng.choice(('0.1', '0.5', '1.0', '2.0'))} M HCl?",
        )
    )


def _gas_law(rng: random.Random) -> str:
    return (
        f"A gas occupies {rng.randint(1, 50)} L at {rng.randint(250, 400)} K and "
        f"{rng.choice((1, 2, 0.5, 1.5))} atm. What volume does it occupy at "
        f"{rng.randint(250, 500)} K and {rng.choice((1, 3, 0.8, 2.5))} atm?"
    )


def _ph(rng: random.Random) -> str:
    c = rng.choice(("0.1", "0.01", "0.05", "0.001", "0.25"))
    return rng.choice(
        (
            f"What is the pH of a {c} M solution of HCl?",
            f"Calculate the pH of a {c} M acetic acid solution (Ka = 1.8e-5).",
            f"What is the pOH and pH of a {c} M NaOH solution?",
        )
    )


def _compound_interest(rng: random.Random) -> str:
    p, r, y = rng.choice((500, 1000, 2500, 10000, 25000)), rng.randint(2, 12), rng.randint(2, 40)
    return rng.choice(
        (
            f"If I invest ${p} at {r}% annual interest compounded monthly, how much will I have "
            f"after {y} years?",
            f"How long does it take ${p} to double at {r}% compounded annually?",
            f"I save ${rng.randint(50, 1000)} a month at {r}% a year. What will I have in {y} "
            "years?",
        )
    )


def _loan(rng: random.Random) -> str:
    p, r, y = (
        rng.randint(10, 600) * 1000,
        round(rng.uniform(2, 9), 2),
        rng.choice((5, 10, 15, 20, 30)),
    )
    return (
        f"What is the monthly payment on a ${p} loan at {r}% annual interest over {y} years, "
        "and how much interest is paid in total?"
    )


def _npv(rng: random.Random) -> str:
    flows = ", ".join(str(rng.randint(1, 30) * 1000) for _ in range(rng.randint(3, 6)))
    return (
        f"A project costs ${rng.randint(20, 100) * 1000} today and returns {flows} at the end of "
        f"each year. At a {rng.randint(4, 15)}% discount rate, what is its NPV? Should we "
        "accept it?"
    )


def _cagr(rng: random.Random) -> str:
    a, b = rng.randint(10, 500), rng.randint(10, 900)
    return (
        f"Revenue grew from ${a}M to ${b}M over {rng.randint(2, 12)} years. What is the compound "
        "annual growth rate?"
    )


def _elasticity(rng: random.Random) -> str:
    p1, p2 = rng.randint(5, 50), rng.randint(5, 50)
    q1, q2 = rng.randint(100, 1000), rng.randint(100, 1000)
    return (
        f"When the price changes from ${p1} to ${p2}, quantity demanded changes from {q1} to {q2}. "
        "Compute the price elasticity of demand with the midpoint method and interpret it."
    )


def _depreciation(rng: random.Random) -> str:
    cost, life = rng.randint(5, 200) * 1000, rng.randint(3, 15)
    return (
        f"An asset costs ${cost} with a salvage value of ${cost // 10} and a useful life of {life} "
        f"years. Compute the depreciation for year {rng.randint(1, life)} under straight-line and "
        "double-declining-balance methods."
    )


def _break_even(rng: random.Random) -> str:
    fixed, price = rng.randint(5, 500) * 1000, rng.randint(10, 200)
    return (
        f"Fixed costs are ${fixed}, the price per unit is ${price} and the variable cost per unit "
        f"is ${price * rng.randint(20, 80) // 100}. What is the break-even quantity?"
    )


def _beam(rng: random.Random) -> str:
    return (
        f"A simply supported steel beam spans {rng.randint(2, 12)} m and carries a uniform load "
        f"of {rng.randint(2, 40)} kN/m. Find the maximum bending moment and the maximum deflection "
        f"(E = 200 GPa, I = {rng.randint(10, 900)}e6 mm^4)."
    )


def _orbital(rng: random.Random) -> str:
    h = rng.randint(200, 36000)
    return rng.choice(
        (
            f"What is the orbital period of a satellite at {h} km altitude above Earth?",
            f"How much delta-v is needed for a Hohmann transfer from a {h} km orbit to "
            f"{h + rng.randint(500, 30000)} km?",
        )
    )


def _work_rate(rng: random.Random) -> str:
    a, b = rng.sample(_NAMES, 2)
    return (
        f"{a} can paint a house in {rng.randint(2, 12)} hours and {b} can do it in "
        f"{rng.randint(2, 12)} hours. How long does it take them working together?"
    )


def _ages(rng: random.Random) -> str:
    a, b = rng.sample(_NAMES, 2)
    k, y = rng.randint(2, 4), rng.randint(2, 15)
    return (
        f"{a} is {k} times as old as {b}. In {y} years, {a} will be twice as old as {b}. "
        "How old are they now?"
    )


def _trains(rng: random.Random) -> str:
    d, v1, v2 = rng.randint(100, 900), rng.randint(40, 120), rng.randint(40, 120)
    return (
        f"Two trains leave stations {d} km apart at the same time, heading towards each other at "
        f"{v1} km/h and {v2} km/h. When and where do they meet?"
    )


def _mixture(rng: random.Random) -> str:
    return (
        f"How many litres of a {rng.randint(5, 30)}% salt solution must be mixed with "
        f"{rng.randint(2, 20)} litres of a {rng.randint(40, 80)}% solution to get a "
        f"{rng.randint(31, 39)}% solution?"
    )


def _shopping(rng: random.Random) -> str:
    a = rng.choice(_NAMES)
    n, price = rng.randint(3, 24), rng.randint(2, 40)
    return (
        f"{a} buys {n} notebooks at ${price} each and gets a {rng.choice((10, 15, 20, 25))}% "
        f"discount on the total, then pays {rng.choice((5, 7, 8, 10))}% sales tax. How much does "
        f"{a} pay, and how much change from ${(n * price // 50 + 1) * 50}?"
    )


def _logic(rng: random.Random) -> str:
    names = rng.sample(_NAMES, 3)
    jobs = rng.sample(("doctor", "teacher", "pilot", "chef", "lawyer", "engineer"), 3)
    return (
        f"{names[0]}, {names[1]} and {names[2]} are a {jobs[0]}, a {jobs[1]} and a {jobs[2]}, "
        f"in some order. {names[0]} is not the {jobs[1]}. The {jobs[2]} is older than "
        f"{names[1]}. {names[2]} is the youngest and is not the {jobs[0]}. Who has which job?"
    )


PROBLEMS: dict[str, Generator] = {
    "linear": _linear,
    "quadratic": _quadratic,
    "system": _system,
    "derivative": _derivative,
    "integral": _integral,
    "limit": _limit,
    "series": _series,
    "matrix": _matrix,
    "gcd": _gcd,
    "modular": _modular,
    "geometry": _geometry,
    "combinatorics": _combinatorics,
    "sequence": _sequence,
    "probability": _probability,
    "descriptive": _descriptive,
    "binomial": _binomial,
    "z_test": _z_test,
    "kinematics": _kinematics,
    "projectile": _projectile,
    "circuit": _circuit,
    "energy": _energy,
    "optics": _optics,
    "stoichiometry": _stoichiometry,
    "gas_law": _gas_law,
    "ph": _ph,
    "compound_interest": _compound_interest,
    "loan": _loan,
    "npv": _npv,
    "cagr": _cagr,
    "elasticity": _elasticity,
    "depreciation": _depreciation,
    "break_even": _break_even,
    "beam": _beam,
    "orbital": _orbital,
    "work_rate": _work_rate,
    "ages": _ages,
    "trains": _trains,
    "mixture": _mixture,
    "shopping": _shopping,
    "logic": _logic,
}

#: Grade-school word problems, the GSM8K-like kind benchmark runs use.
WORD_PROBLEMS: tuple[str, ...] = ("work_rate", "ages", "trains", "mixture", "shopping")

_NAMES_SORTED = tuple(sorted(PROBLEMS))


def problem(rng: random.Random, kind: str | None = None) -> str:
    """A fresh problem of ``kind`` (any kind when ``None``)."""
    name = kind if kind is not None else rng.choice(_NAMES_SORTED)
    return PROBLEMS[name](rng)
