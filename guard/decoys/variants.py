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
do not | don't ; @0.62,0.38
does not | doesn't ; @0.65,0.35
did not | didn't ; @0.57,0.43
is not | isn't ; @0.82,0.18
are not | aren't ; @0.81,0.19
was not | wasn't ; @0.63,0.37
were not | weren't ; @0.75,0.25
has not | hasn't ; @0.68,0.32
have not | haven't ; @0.55,0.45
had not | hadn't ; @0.6,0.4
will not | won't ; @0.65,0.35
would not | wouldn't ; @0.58,0.42
should not | shouldn't ; @0.71,0.29
could not | couldn't ; @0.54,0.46
cannot | can't ; @0.69,0.31
must not | mustn't ; @0.9,0.1
it is | it's ; >w @0.7,0.3
that is | that's ; >w !before=to @0.62,0.38
there is | there's ; >w @0.74,0.26
here is | here's ; >w @0.49,0.51
what is | what's ; >w @0.78,0.22
you are | you're ; >w @0.62,0.38
we are | we're ; >w @0.64,0.36
they are | they're ; >w @0.79,0.21
I am | I'm ; >w @0.3,0.7
you will | you'll ; >w @0.74,0.26
we will | we'll ; >w @0.69,0.31
I will | I'll ; >w @0.25,0.75
they will | they'll ; >w @0.75,0.25
you would | you'd ; >w @0.75,0.25
I would | I'd ; >w @0.49,0.51
let us | let's ; >w !before=know @0.1,0.9
for example | for instance ; @0.82,0.18
as a result | consequently ; @0.69,0.31
in summary, | in conclusion, | to summarize, | to sum up, ; @0.32,0.46,0.17,0.05
furthermore, | moreover, | additionally, | in addition, ; @0.19,0.12,0.44,0.25
therefore, | thus, ; @0.64,0.36
in fact | actually ; @0.2,0.8
because of | due to ; @0.45,0.55
although | even though ; @0.74,0.26
in order to | so as to ; @0.95,0.05
as well | too ; >p @0.6,0.4
a lot of | lots of ; @0.8,0.2
despite | in spite of ; @0.9,0.1
regarding | concerning ; @0.79,0.21
each other | one another ; @0.85,0.15
anyone | anybody ; @0.9,0.1
everyone | everybody ; @0.9,0.1
someone | somebody ; @0.9,0.1
no one | nobody ; @0.55,0.45
toward | towards ; @0.3,0.7
afterward | afterwards ; @0.3,0.7
among | amongst ; @0.95,0.05
currently | at the moment ; @0.86,0.14
ultimately | in the end ; @0.85,0.15
for this reason | because of this ; @0.5,0.5
keep in mind | bear in mind ; @0.9,0.1
a variety of | a range of ; @0.73,0.27
a wide variety of | a wide range of ; @0.45,0.55
definitely | certainly ; @0.5,0.5
often | frequently ; !after=how @0.8,0.2
usually | typically ; @0.4,0.6
perhaps | maybe ; @0.45,0.55
quickly | rapidly ; @0.86,0.14
mostly | largely | mainly | primarily ; @0.2,0.2,0.3,0.3
roughly | approximately ; @0.3,0.7
nearly | almost ; @0.2,0.8
completely | entirely | fully ; @0.45,0.2,0.35
especially | particularly ; @0.55,0.45
sometimes | at times ; @0.92,0.08
significantly | considerably | substantially ; @0.75,0.1,0.15
correctly | properly ; @0.5,0.5
instantly | immediately ; @0.2,0.8
initially | at first ; @0.6,0.4
essentially | basically ; @0.6,0.4
precisely | exactly ; !after=not @0.2,0.8
totally | completely ; @0.3,0.7
huge | enormous ; @0.75,0.25
simple | straightforward ; @0.75,0.25
entire | whole ; !before=number,numbers,grain,grains,foods,wheat,milk @0.6,0.4
typical | usual ; !after=as @0.7,0.3
appropriate | suitable ; @0.73,0.27
particular | specific ; !after=in @0.35,0.65
additional | extra ; @0.7,0.3
rapid | quick ; @0.4,0.6
important | crucial ; @0.88,0.12
crucial | vital ; @0.75,0.25
advantages | benefits ; !before=from @0.3,0.7
several | multiple ; !before=of !after=a,an,the,least,common @0.55,0.45
helps | assists ; @0.9,0.1
helped | assisted ; @0.85,0.15
helping | assisting ; @0.9,0.1
using | utilizing ; @0.93,0.07
began | started ; !after=have,has,had,having,be,been,being,is,are,was,were,get,got,gets,getting @0.3,0.7
begins | starts ; @0.5,0.5
choose | select ; !after=a,the,to-be @0.6,0.4
chooses | selects ; @0.5,0.5
choosing | selecting ; @0.6,0.4
make sure | ensure ; !before=to,of @0.35,0.65
makes sure | ensures ; !before=to,of @0.1,0.9
making sure | ensuring ; !before=to,of @0.2,0.8
trying to | attempting to ; @0.85,0.15
tries to | attempts to ; @0.6,0.4
tried to | attempted to ; @0.8,0.2
allows | enables ; @0.65,0.35
allowing | enabling ; @0.6,0.4
improves | enhances ; @0.6,0.4
improving | enhancing ; @0.75,0.25
improve | enhance ; @0.8,0.2
reduces | decreases ; @0.75,0.25
reducing | decreasing ; @0.75,0.25
providing | offering ; @0.6,0.4
buying | purchasing ; @0.5,0.5
bought | purchased ; @0.5,0.5
obtain | acquire ; @0.6,0.4
obtained | acquired ; @0.6,0.4
obtaining | acquiring ; @0.5,0.5
modify | alter ; @0.7,0.3
modifies | alters ; @0.6,0.4
modifying | altering ; @0.7,0.3
modified | altered ; @0.7,0.3
resolving | fixing ; @0.4,0.6
calculate | compute ; @0.75,0.25
calculates | computes ; @0.7,0.3
calculated | computed ; @0.7,0.3
verify | confirm ; @0.5,0.5
verifying | confirming ; @0.5,0.5
contains | includes ; @0.5,0.5
figure out | determine ; @0.3,0.7
a number of | several ; !before=of @0.35,0.65
as well as | along with ; @0.85,0.15
in addition to | besides ; @0.9,0.1
instead of | in place of ; @0.95,0.05
apart from | aside from ; @0.6,0.4
at least | at a minimum ; @0.95,0.05
in most cases | in many cases ; @0.6,0.4
on the other hand | by contrast ; @0.85,0.15
in other words | put differently ; @0.9,0.1
first of all | to begin with ; @0.5,0.5
in general | generally speaking ; !after=people,users,life,things @0.9,0.1
as soon as possible | as quickly as possible ; @0.7,0.3
on a regular basis | regularly ; @0.4,0.6
is able to | can ; >w @0.4,0.6
are able to | can ; >w @0.4,0.6
in the event that | if ; @0.05,0.95
prior to | before ; >w !before=you,we,they,it,he,she,i,the @0.2,0.8
whether or not | whether ; @0.3,0.7
a great deal of | a lot of ; @0.15,0.85
large amounts of | lots of ; @0.5,0.5
feel free to | don't hesitate to ; @0.8,0.2
hope this helps | I hope this helps ; @0.5,0.5
let me know | tell me ; >w !before=what,if,how,when @0.85,0.15
depending on | based on ; @0.6,0.4
as needed | as necessary ; @0.6,0.4
in this case | here ; >p @0.9,0.1
right now | currently ; @0.3,0.7
in real time | in real-time ; @0.6,0.4
well known | well-known ; @0.3,0.7
step by step | step-by-step ; @0.6,0.4
start with | begin with ; @0.7,0.3
starts with | begins with ; @0.6,0.4
starting with | beginning with ; @0.7,0.3
focus on | concentrate on ; @0.9,0.1
focuses on | concentrates on ; @0.9,0.1
focusing on | concentrating on ; @0.9,0.1
consists of | is made up of ; @0.75,0.25
refers to | describes ; !before=the,a,an @0.7,0.3
results in | leads to ; @0.5,0.5
resulted in | led to ; @0.5,0.5
resulting in | leading to ; @0.5,0.5
deal with | handle ; >w @0.5,0.5
dealing with | handling ; >w @0.5,0.5
come up with | develop ; >w @0.5,0.5
set up | configure ; >w !after=a,the,your,this,that,our,my @0.8,0.2
look at | examine ; >w !after=a,the,quick,closer,close @0.75,0.25
looking at | examining ; >w @0.75,0.25
find out | discover ; >w @0.6,0.4
point out | note ; >w !before=that @0.4,0.6
points out | notes ; >w !before=that @0.4,0.6
carry out | perform ; >w @0.4,0.6
carried out | performed ; >w !after=be,been,being,is,are,was,were @0.4,0.6
make up | constitute ; >w !after=your,her,his,the,their @0.8,0.2
grows | increases ; !before=up @0.5,0.5
growing | increasing ; !after=a,the,of @0.5,0.5
huge amount | vast amount ; @0.6,0.4
huge number | vast number ; @0.6,0.4
wide range | broad range ; @0.8,0.2
key role | crucial role ; @0.5,0.5
important role | significant role ; @0.6,0.4
main goal | primary goal ; @0.6,0.4
main purpose | primary purpose ; @0.6,0.4
main reason | primary reason ; @0.6,0.4
major role | key role ; @0.5,0.5
good idea | sensible idea ; @0.9,0.1
great way | excellent way ; @0.7,0.3
easy way | simple way ; @0.5,0.5
best way | most effective way ; @0.8,0.2
overall, | all in all, ; @0.92,0.08
in short, | in brief, | briefly, ; @0.7,0.1,0.2
finally, | lastly, ; @0.8,0.2
similarly, | likewise, ; @0.8,0.2
meanwhile, | in the meantime, ; @0.7,0.3
of course, | naturally, ; @0.85,0.15
fortunately, | luckily, ; @0.7,0.3
unfortunately, | sadly, ; @0.9,0.1
interestingly, | curiously, ; @0.9,0.1
generally, | typically, ; @0.5,0.5
specifically, | in particular, ; @0.6,0.4
alternatively, | instead, ; @0.7,0.3
for example, | for instance, ; @0.82,0.18
as a result, | consequently, ; @0.7,0.3
in this way, | this way, ; @0.6,0.4
once again | again ; @0.5,0.5
as follows | below ; >p @0.7,0.3
shown below | listed below ; @0.5,0.5
the following | these ; >p @0.8,0.2
make it easier | make it simpler ; @0.8,0.2
make it easy | make it simple ; @0.7,0.3
kind of | sort of ; !after=a,the,what,this,that,any,every,each,one,some,which @0.75,0.25
a bit | a little ; >p @0.5,0.5
try to | aim to ; @0.7,0.3
want to | wish to ; !after=i,you,we,they,might,may,would,do,don't @0.9,0.1
need to | have to ; !after=the,a,no,any,urgent @0.7,0.3
needs to | has to ; !after=the,a,no,any,urgent @0.75,0.25
able to | capable of ; @0.95,0.05
likely to | apt to ; @0.95,0.05
similar to | comparable to ; @0.85,0.15
compared to | compared with ; @0.75,0.25
different from | distinct from ; @0.85,0.15
related to | associated with ; @0.7,0.3
used for | employed for ; @0.9,0.1
known as | called ; >w @0.6,0.4
referred to as | called ; >w @0.5,0.5
in terms of | with regard to ; @0.85,0.15
with respect to | with regard to ; @0.6,0.4
in the context of | in the setting of ; @0.95,0.05
at the end of the day | in the end ; @0.5,0.5
as long as | provided that ; @0.8,0.2
so that | in order that ; >w @0.95,0.05
even if | even when ; @0.6,0.4
in case | in the event ; >w !before=of @0.85,0.15
right away | immediately ; @0.4,0.6
on time | punctually ; @0.9,0.1
over time | with time ; @0.85,0.15
these days | nowadays ; @0.5,0.5
in the past | previously ; >p @0.5,0.5
in the future | going forward ; >p @0.8,0.2
all the time | constantly ; @0.5,0.5
every day | daily ; >p @0.6,0.4
at all times | always ; >p @0.4,0.6
in detail | thoroughly ; @0.6,0.4
more and more | increasingly ; >w @0.3,0.7
less and less | decreasingly ; >w @0.8,0.2
one of the most | among the most ; @0.85,0.15
a couple of | a few ; @0.5,0.5
plenty of | lots of ; @0.6,0.4
at the same time, | simultaneously, ; @0.7,0.3
in addition, | additionally, ; @0.4,0.6
on top of that, | what's more, ; @0.6,0.4
to be honest, | frankly, ; @0.6,0.4
for the most part, | largely, ; @0.5,0.5
by the way, | incidentally, ; @0.7,0.3
in any case, | either way, ; @0.5,0.5
as mentioned, | as noted, ; @0.6,0.4
as mentioned earlier, | as noted earlier, ; @0.6,0.4
as mentioned above, | as noted above, ; @0.6,0.4
needless to say, | of course, ; @0.3,0.7
that being said, | that said, | having said that, ; @0.35,0.45,0.2
on the whole, | by and large, ; @0.7,0.3
to clarify, | to be clear, ; @0.5,0.5
in practice, | in reality, ; @0.6,0.4
as an example, | to illustrate, ; @0.6,0.4
please note that | note that ; @0.5,0.5
it is worth noting that | it's worth noting that | note that ; @0.45,0.3,0.25
it is important to note that | it's important to note that ; @0.75,0.25
it is important to | it's important to ; @0.75,0.25
it is possible to | it's possible to ; @0.7,0.3
it is also | it's also ; @0.65,0.35
it is not | it isn't | it's not ; @0.6,0.1,0.3
there are many | there are plenty of ; @0.85,0.15
there are several | there are a number of ; @0.75,0.25
you can also | you may also ; @0.8,0.2
you can use | you may use ; @0.9,0.1
you may want to | you might want to ; @0.4,0.6
you might | you may ; >w !before=want,also,use,need,be @0.5,0.5
can help | can assist ; @0.85,0.15
will help | will assist ; @0.85,0.15
in the world | worldwide ; >p @0.85,0.15
around the world | worldwide ; >p @0.5,0.5
all over the world | worldwide ; >p @0.6,0.4
a large number of | many ; >w @0.2,0.8
the majority of | most ; >w !before=the,of @0.4,0.6
a small number of | a few ; >w @0.3,0.7
a few of | some of ; @0.4,0.6
at this point | at this stage ; @0.7,0.3
in this article | here ; >w @0.5,0.5
this means that | this implies that ; @0.85,0.15
which means that | meaning that ; @0.7,0.3
in other cases | otherwise ; >p @0.5,0.5
for more information | for further information | for more details ; @0.6,0.15,0.25
if you have any questions | if you have questions ; @0.8,0.2
any other questions | further questions ; @0.7,0.3
is responsible for | is in charge of ; @0.9,0.1
are responsible for | are in charge of ; @0.9,0.1
take into account | take into consideration ; @0.7,0.3
taking into account | taking into consideration ; @0.7,0.3
on the basis of | based on ; @0.3,0.7
with the help of | with the aid of | using ; @0.3,0.05,0.65
by means of | through ; >w @0.2,0.8
in the form of | as ; >w @0.5,0.5
is known for | is famous for ; @0.7,0.3
is considered | is regarded as ; >w @0.7,0.3
is designed to | is meant to ; @0.7,0.3
is intended to | is meant to ; @0.6,0.4
is used to | serves to ; >w @0.85,0.15
make a decision | make a choice ; @0.6,0.4
take a look at | have a look at ; @0.8,0.2
take some time | take time ; @0.5,0.5
spend time | spend some time ; @0.5,0.5
get started | begin ; >p @0.6,0.4
in a way that | so that ; @0.7,0.3
such that | so that ; >w @0.5,0.5
"""


@dataclass(frozen=True, slots=True)
class VariantSet:
    """One set: ``forms`` as lower-case token tuples, their ``priors``, and the set's rules."""

    id: int
    forms: tuple[tuple[str, ...], ...]
    priors: tuple[float, ...]
    next_word: bool = False  # >w
    next_punct: bool = False  # >p
    not_before: frozenset[str] = frozenset()
    not_after: frozenset[str] = frozenset()


def _tokens(phrase: str) -> tuple[str, ...]:
    words = phrase.replace(",", " ,").split()
    return tuple(w if w == "I" else w.lower() for w in words)


def load_table(table: str = TABLE) -> list[VariantSet]:
    """Parse a table in the syntax above (raises ValueError naming the bad line)."""
    sets: list[VariantSet] = []
    for number, raw in enumerate(table.strip().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        body, _, flags = line.partition(";")
        forms = tuple(_tokens(part) for part in body.split("|") if part.strip())
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
        sets.append(VariantSet(len(sets), forms, priors, **options))  # type: ignore[arg-type]
    return sets
