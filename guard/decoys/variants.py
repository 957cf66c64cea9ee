"""Interchangeable words and phrases: the choices a watermark is written in.

Each line of :data:`TABLE` is one set of variants that can replace each other in ordinary
English prose without changing what a sentence says: contractions, synonyms chosen so that
every variant is the same part of speech in every common use, equivalent connectives. Sets
were left out where a variant is also a technical term (``method``, ``error``, ``big O``),
another part of speech (``use`` the noun), or a regional spelling (a watermark must not make
an American answer suddenly British).

Line syntax: ``variant | variant | ...`` then optional flags after ``;``:

``>w``            the variant must be followed by a word (``it is`` but not ``as it is.``)
``>p``            the variant must be followed by punctuation or the end of the text
``!before=x,y``   not when the next word is one of these
``!after=x,y``    not when the previous word is one of these
``@p1,p2,...``    how often each variant occurs in answers (the priors the watermark samples
                  from, so rewritten answers keep the usual word frequencies)

The priors were measured on assistant turns of the ShareGPT dataset (positions 0-6 mod 10)
and clipped to [0.05, 0.95]; sets without them are taken as uniform.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TABLE", "VariantSet", "load_table"]

TABLE = """
do not | don't ; @0.24,0.76
does not | doesn't ; @0.68,0.32
did not | didn't ; @0.34,0.66
is not | isn't ; @0.95,0.05
are not | aren't ; @0.95,0.05
was not | wasn't ; @0.73,0.27
were not | weren't ; @0.86,0.14
has not | hasn't ; @0.84,0.16
have not | haven't ; @0.47,0.53
had not | hadn't ; @0.62,0.38
will not | won't ; @0.50,0.50
would not | wouldn't ; @0.62,0.38
should not | shouldn't ; @0.83,0.17
could not | couldn't ; @0.08,0.92
cannot | can't ; @0.45,0.55
must not | mustn't ; @0.94,0.06
it is | it's ; >w @0.53,0.47
that is | that's ; >w !before=to @0.69,0.31
there is | there's ; >w @0.73,0.27
here is | here's ; >w @0.35,0.65
what is | what's ; >w @0.75,0.25
you are | you're ; >w @0.50,0.50
we are | we're ; >w @0.48,0.52
they are | they're ; >w @0.84,0.16
I am | I'm ; >w @0.37,0.63
you will | you'll ; >w @0.57,0.43
we will | we'll ; >w @0.46,0.54
I will | I'll ; >w @0.42,0.58
they will | they'll ; >w @0.79,0.21
you would | you'd ; >w @0.82,0.18
I would | I'd ; >w @0.63,0.37
let us | let's ; >w !before=know @0.07,0.93
for example | for instance ; @0.95,0.05
as a result | consequently ; @0.95,0.05
in summary, | in conclusion, | to summarize, | to sum up, ; @0.65,0.25,0.05,0.05
furthermore, | moreover, | additionally, | in addition, ; @0.08,0.05,0.76,0.11
therefore, | thus, ; @0.95,0.05
in fact | actually ; @0.23,0.77
because of | due to ; @0.11,0.89
although | even though ; @0.61,0.39
in order to | so as to ; @0.95,0.05
as well | too ; >p @0.57,0.43
a lot of | lots of | plenty of | a great deal of ; @0.72,0.07,0.17,0.05
despite | in spite of ; @0.95,0.05
regarding | concerning ; @0.94,0.06
each other | one another ; @0.88,0.12
anyone | anybody ; @0.95,0.05
everyone | everybody ; @0.95,0.05
someone | somebody ; @0.95,0.05
no one | nobody ; @0.87,0.13
toward | towards ; @0.06,0.94
afterward | afterwards ; @0.56,0.44
among | amongst ; @0.95,0.05
currently | at the moment | right now ; @0.86,0.05,0.09
ultimately | in the end | at the end of the day ; @0.75,0.21,0.05
for this reason | because of this | due to this ; @0.5,0.3,0.2
keep in mind | bear in mind ; @0.95,0.05
a variety of | a range of ; @0.64,0.36
a wide variety of | a wide range of ; @0.14,0.86
definitely | certainly ; @0.08,0.92
often | frequently ; !after=how @0.89,0.11
usually | typically ; @0.20,0.80
perhaps | maybe ; @0.37,0.63
quickly | rapidly ; @0.87,0.13
mostly | largely | mainly | primarily ; @0.14,0.11,0.17,0.58
roughly | approximately ; @0.09,0.91
nearly | almost ; @0.23,0.77
completely | entirely | fully | totally ; @0.25,0.11,0.60,0.05
especially | particularly ; @0.44,0.56
sometimes | at times ; @0.90,0.10
significantly | considerably | substantially ; @0.90,0.05,0.05
correctly | properly ; @0.59,0.41
instantly | immediately | right away ; @0.06,0.88,0.06
initially | at first ; @0.58,0.42
essentially | basically ; @0.69,0.31
precisely | exactly ; !after=not @0.16,0.84
huge | enormous ; @0.92,0.08
simple | straightforward ; @0.94,0.06
entire | whole ; !before=number,numbers,grain,grains,foods,wheat,milk @0.71,0.29
typical | usual ; !after=as @0.76,0.24
appropriate | suitable ; @0.72,0.28
particular | specific ; !after=in @0.08,0.92
additional | extra ; @0.90,0.10
rapid | quick ; @0.31,0.69
important | crucial | vital ; @0.80,0.15,0.05
advantages | benefits ; !before=from @0.16,0.84
several | multiple | a number of ; !before=of !after=a,an,the,least,common @0.35,0.58,0.08
helps | assists ; @0.95,0.05
helped | assisted ; @0.94,0.06
helping | assisting ; @0.92,0.08
using | utilizing ; @0.95,0.05
began | started ; !after=have,has,had,having,be,been,being,is,are,was,were,get,got @0.66,0.34
begins | starts ; @0.39,0.61
choose | select ; !after=a,the,to-be @0.54,0.46
chooses | selects ; @0.19,0.81
choosing | selecting ; @0.45,0.55
make sure | ensure ; !before=to,of @0.26,0.74
makes sure | ensures ; !before=to,of @0.05,0.95
making sure | ensuring ; !before=to,of @0.07,0.93
trying to | attempting to ; @0.95,0.05
tries to | attempts to ; @0.76,0.24
tried to | attempted to ; @0.91,0.09
allows | enables ; @0.91,0.09
allowing | enabling ; @0.79,0.21
improves | enhances ; @0.63,0.37
improving | enhancing ; @0.84,0.16
improve | enhance ; @0.83,0.17
reduces | decreases ; @0.75,0.25
reducing | decreasing ; @0.94,0.06
providing | offering ; @0.77,0.23
buying | purchasing ; @0.55,0.45
bought | purchased ; @0.44,0.56
obtain | acquire ; @0.74,0.26
obtained | acquired ; @0.64,0.36
obtaining | acquiring ; @0.64,0.36
modify | alter ; @0.95,0.05
modifies | alters ; @0.93,0.07
modifying | altering ; @0.92,0.08
modified | altered ; @0.95,0.05
resolving | fixing ; @0.73,0.27
calculate | compute ; @0.79,0.21
calculates | computes ; @0.82,0.18
calculated | computed ; @0.87,0.13
verify | confirm ; @0.68,0.32
verifying | confirming ; @0.80,0.20
contains | includes ; @0.38,0.62
figure out | determine ; @0.07,0.93
as well as | along with ; @0.77,0.23
in addition to | besides ; @0.95,0.05
instead of | in place of ; @0.95,0.05
apart from | aside from ; @0.95,0.05
at least | at a minimum ; @0.95,0.05
in most cases | in many cases ; @0.40,0.60
on the other hand | by contrast ; @0.95,0.05
in other words | put differently ; @0.95,0.05
first of all | to begin with ; @0.5,0.5
in general | generally speaking ; !after=people,users,life,things @0.95,0.05
as soon as possible | as quickly as possible ; @0.76,0.24
on a regular basis | regularly ; @0.13,0.87
feel free to | don't hesitate to | do not hesitate to ; @0.59,0.36,0.05
hope this helps | I hope this helps ; @0.05,0.95
let me know | tell me ; >w !before=what,if,how,when @0.44,0.56
depending on | based on | on the basis of ; @0.21,0.74,0.05
as needed | as necessary ; @0.89,0.11
in real time | in real-time ; @0.10,0.90
well known | well-known ; @0.05,0.95
step by step | step-by-step ; @0.09,0.91
start with | begin with ; @0.88,0.12
starts with | begins with ; @0.70,0.30
starting with | beginning with ; @0.95,0.05
focus on | concentrate on ; @0.95,0.05
focuses on | concentrates on ; @0.95,0.05
focusing on | concentrating on ; @0.95,0.05
consists of | is made up of ; @0.85,0.15
results in | leads to ; @0.51,0.49
resulted in | led to ; @0.24,0.76
resulting in | leading to ; @0.34,0.66
set up | configure ; >w !after=a,the,your,this,that,our,my @0.59,0.41
look at | examine ; >w !after=a,the,quick,closer,close @0.55,0.45
looking at | examining ; >w @0.53,0.47
find out | discover ; >w @0.23,0.77
huge amount | vast amount | enormous amount ; @0.5,0.3,0.2
huge number | vast number | enormous number ; @0.5,0.3,0.2
wide range | broad range ; @0.50,0.50
key role | crucial role | major role | important role | vital role ; @.2,.3,.1,.3,.1
main goal | primary goal ; @0.56,0.44
main purpose | primary purpose ; @0.54,0.46
main reason | primary reason ; @0.6,0.4
good idea | sensible idea ; @0.95,0.05
great way | excellent way ; @0.92,0.08
easy way | simple way | straightforward way ; @0.44,0.41,0.15
best way | most effective way ; @0.84,0.16
overall, | all in all, ; @0.95,0.05
in short, | in brief, | briefly, ; @0.83,0.05,0.12
finally, | lastly, ; @0.95,0.05
similarly, | likewise, ; @0.95,0.05
meanwhile, | in the meantime, ; @0.78,0.22
fortunately, | luckily, ; @0.7,0.3
unfortunately, | sadly, ; @0.95,0.05
interestingly, | curiously, ; @0.9,0.1
specifically, | in particular, ; @0.77,0.23
alternatively, | instead, ; @0.49,0.51
in this way, | this way, ; @0.26,0.74
shown below | listed below ; @0.94,0.06
make it easier | make it simpler ; @0.95,0.05
make it easy | make it simple ; @0.95,0.05
kind of | sort of ; !after=a,the,what,this,that,any,every,each,one,some,which @0.95,0.05
a bit | a little ; >p @0.36,0.64
try to | aim to ; @0.82,0.18
need to | have to ; !after=the,a,no,any,urgent @0.88,0.12
needs to | has to ; !after=the,a,no,any,urgent @0.81,0.19
similar to | comparable to ; @0.95,0.05
compared to | compared with ; @0.95,0.05
different from | distinct from ; @0.91,0.09
related to | associated with ; @0.58,0.42
used for | employed for ; @0.95,0.05
in terms of | with regard to | with respect to ; @0.77,0.05,0.18
in the context of | in the setting of ; @0.95,0.05
so that | in order that ; >w @0.95,0.05
even if | even when ; @0.78,0.22
in case | in the event ; >w !before=of @0.49,0.51
over time | with time ; @0.95,0.05
these days | nowadays ; @0.5,0.5
in the past | previously ; >p @0.88,0.12
in the future | going forward ; >p @0.95,0.05
every day | daily ; >p @0.74,0.26
at all times | always ; >p @0.38,0.62
more and more | increasingly ; >w @0.31,0.69
at the same time, | simultaneously, ; @0.67,0.33
on top of that, | what's more, | what is more, ; @0.6,0.3,0.1
to be honest, | frankly, ; @0.6,0.4
by the way, | incidentally, ; @0.7,0.3
in any case, | either way, ; @0.76,0.24
as mentioned, | as noted, ; @0.6,0.4
as mentioned earlier, | as noted earlier, ; @0.95,0.05
as mentioned above, | as noted above, ; @0.6,0.4
that being said, | that said, | having said that, ; @0.86,0.09,0.05
on the whole, | by and large, ; @0.7,0.3
to clarify, | to be clear, ; @0.95,0.05
in practice, | in reality, ; @0.65,0.35
as an example, | to illustrate, ; @0.6,0.4
it is important to note that | it's important to note that ; @0.75,0.25
it is important to | it's important to ; @0.75,0.25
it is possible to | it's possible to ; @0.81,0.19
it is also | it's also ; @0.43,0.57
it is not | it isn't | it's not ; @0.55,0.05,0.40
there are many | there are plenty of ; @0.95,0.05
there are several | there are a number of ; @0.93,0.07
you can also | you may also ; @0.90,0.10
you can use | you may use ; @0.95,0.05
you may want to | you might want to ; @0.78,0.22
you might | you may ; >w !before=want,also,use,need,be @0.57,0.43
can help | can assist ; @0.95,0.05
will help | will assist ; @0.95,0.05
in the world | around the world | all over the world | worldwide ; >p @0.48,0.37,0.05,0.11
a few of | some of ; @0.05,0.95
at this point | at this stage ; @0.69,0.31
this means that | this implies that ; @0.95,0.05
which means that | meaning that ; @0.62,0.38
in other cases | otherwise ; >p @0.05,0.95
for more information | for further information | for more details ; @0.86,0.05,0.09
if you have any questions | if you have questions ; @0.95,0.05
any other questions | further questions ; @0.62,0.38
is responsible for | is in charge of ; @0.95,0.05
are responsible for | are in charge of ; @0.95,0.05
take into account | take into consideration ; @0.92,0.08
taking into account | taking into consideration ; @0.87,0.13
is known for | is famous for ; @0.95,0.05
is considered | is regarded as ; >w @0.95,0.05
is designed to | is intended to | is meant to ; @0.77,0.16,0.07
is used to | serves to ; >w @0.95,0.05
make a decision | make a choice ; @0.66,0.34
take a look at | have a look at ; @0.91,0.09
take some time | take time ; @0.57,0.43
spend time | spend some time ; @0.78,0.22
get started | begin ; >p @0.65,0.35
a few | a couple of | a small number of ; !before=of !after=quite @0.90,0.05,0.05
want to | wish to ; @0.95,0.05
of course, | naturally, | needless to say, ; @0.90,0.05,0.05
it is worth noting that | it's worth noting that ; @0.21,0.79
"""


@dataclass(frozen=True, slots=True)
class VariantSet:
    """One set: ``forms`` as lower-case token tuples, their ``priors``, and the set's rules."""

    id: int
    forms: tuple[tuple[str, ...], ...]  # lower-case tokens, as matched
    texts: tuple[str, ...]  # as written into an answer ("I'm", "for example,")
    priors: tuple[float, ...]
    next_word: bool = False  # >w
    next_punct: bool = False  # >p
    not_before: frozenset[str] = frozenset()
    not_after: frozenset[str] = frozenset()

    def allows_next(self, token: str | None) -> bool:
        """Whether an occurrence may be followed by ``token`` (a word, punctuation, None)."""
        if token is None or not token[0].isalpha():
            return not self.next_word
        return not self.next_punct and token.lower() not in self.not_before


def _tokens(phrase: str) -> tuple[str, ...]:
    return tuple(phrase.lower().replace(",", " ,").split())


def _text(phrase: str) -> str:
    words = phrase.replace(",", " ,").split()
    return " ".join(w if w in ("I", "I'm", "I'll", "I'd") else w.lower() for w in words).replace(
        " ,", ","
    )


def load_table(table: str = TABLE) -> list[VariantSet]:
    """Parse a table in the syntax above (raises ValueError naming the bad line)."""
    sets: list[VariantSet] = []
    for number, raw in enumerate(table.strip().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        body, _, flags = line.partition(";")
        parts = [part for part in body.split("|") if part.strip()]
        forms = tuple(_tokens(part) for part in parts)
        texts = tuple(_text(part) for part in parts)
        if len(forms) < 2 or len(set(forms)) != len(forms):
            raise ValueError(f"variant table line {number}: needs two or more distinct variants")
        priors = tuple(1.0 / len(forms) for _ in forms)
        options: dict[str, object] = {}
        for flag in flags.split():
            if flag == ">w":
                options["next_word"] = True
            elif flag == ">p":
                options["next_punct"] = True
            elif flag.startswith("!before="):
                options["not_before"] = frozenset(flag[8:].lower().split(","))
            elif flag.startswith("!after="):
                options["not_after"] = frozenset(flag[7:].lower().split(","))
            elif flag.startswith("@"):
                values = [float(v) for v in flag[1:].split(",")]
                if len(values) != len(forms) or min(values) <= 0:
                    raise ValueError(f"variant table line {number}: one positive prior per form")
                total = sum(values)
                priors = tuple(v / total for v in values)
            else:
                raise ValueError(f"variant table line {number}: unknown flag {flag!r}")
        sets.append(VariantSet(len(sets), forms, texts, priors, **options))  # type: ignore[arg-type]
    _check(sets)
    return sets


def _check(sets: list[VariantSet]) -> None:
    """Refuse tables whose rewrites could be read back as another set's.

    A form may belong to one set only; and when a form of set T is a prefix of a form of set
    S, every other form of T with the same continuation must be a form of S too, or
    rewriting T's form could create (or destroy) an occurrence of S and detection would
    count a different position than the watermark wrote.
    """
    owner: dict[tuple[str, ...], int] = {}
    for variant_set in sets:
        for form in variant_set.forms:
            if form in owner:
                raise ValueError(f"variant {' '.join(form)!r} is in two sets")
            owner[form] = variant_set.id
    for variant_set in sets:
        for form in variant_set.forms:
            for cut in range(1, len(form)):
                other = owner.get(form[:cut])
                if other is None or other == variant_set.id:
                    continue
                if not sets[other].allows_next(form[cut]):
                    continue  # the shorter set's rules never match it here
                for prefix in sets[other].forms:
                    longer = prefix + form[cut:]
                    if owner.get(longer) != variant_set.id:
                        raise ValueError(
                            f"variant {' '.join(form)!r} starts with {' '.join(form[:cut])!r} "
                            f"of another set, but {' '.join(longer)!r} is not in its set"
                        )
