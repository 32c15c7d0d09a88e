"""Deterministic synthetic OJP-like Records for benchmarks: ``synthetic_records(n, seed)``.

Kinds, agencies, lengths and dates follow the rough shape of the OJP resource family: mostly NCJRS
library abstracts and publications (NCJ-numbered, short, a tenth with extracted PDF text),
then topic articles, news, funding opportunities (with opportunity IDs), events, features and
topic listings.
Words are drawn with the frequencies measured on real OJP page text (``bench/ojp_words.txt``,
fitted and compared by ``bench.synthetic_fit``), then a long tail of made-up rare words, so term
statistics (frequent domain words, a growing tail) resemble the real site.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from functools import cache
from itertools import accumulate
from pathlib import Path

from index.records import Attachment, Record, record_id

WORDS_FILE = Path(__file__).with_name("ojp_words.txt")


def words_of(text: str) -> list[str]:
    return text.split()


DOMAIN = words_of(
    """
justice crime criminal victim victims offender offenders juvenile juveniles youth violence
violent police policing law enforcement officer officers court courts sentencing prison prisons
jail corrections correctional probation parole reentry recidivism rehabilitation treatment
substance abuse drug drugs opioid opioids overdose trafficking human labor sex exploitation
child children abuse neglect domestic intimate partner sexual assault rape homicide firearms gun
guns shooting forensic forensics dna evidence laboratory crime analysis fingerprint toxicology
pathology investigation investigations prosecution prosecutors defense public defender bail
pretrial detention risk assessment tool tools evaluation program programs grant grants funding
solicitation research researchers study studies data statistics survey national state local
tribal community communities prevention intervention mental health trauma services service
support training technical assistance technology body-worn cameras surveillance cybercrime fraud
identity theft elder school safety bullying gang gangs hate extremism radicalization terrorism
wrongful conviction exoneration death penalty capital jury judges judicial hearing appeals
restorative mentoring delinquency disproportionate minority contact girls boys family families
foster care runaway homeless missing exploited sextortion online internet victimization
reporting rates arrest arrests incarceration inmates population facilities staffing workforce
wellness stress resilience deescalation use force misconduct accountability transparency
legitimacy trust procedural fairness bias disparities racial equity rural urban border
immigration
"""
)

COMMON = words_of(
    """
the of and to in a for on with by as from at that this is are be was were an or which their its
new report findings results methods approach review analysis impact effects outcomes practices
practice guide guidance overview brief fact sheet bulletin journal article series volume issue
year years age among between during after before over under more most less than across within
based using use used how what when why who can may should will would also first second third
examines describes presents discusses provides identifies compares estimates measures explores
"""
)

AGENCY_WEIGHTS = {
    "NCJRS": 40,
    "NIJ": 20,
    "OJP": 10,
    "BJA": 8,
    "BJS": 7,
    "OJJDP": 7,
    "OVC": 6,
    "SMART": 2,
}
KIND_WEIGHTS = {
    "publication": 55,
    "article": 8,
    "news": 8,
    "funding": 7,
    "feature": 5,
    "event": 5,
    "topic": 5,
    "page": 4,
    "blog": 2,
    "program": 1,
}
#: Body lengths in words: NCJRS abstracts are short, articles and funding pages long.
BODY_WORDS = {
    "publication": (80, 350),
    "article": (300, 1500),
    "feature": (200, 1000),
    "funding": (250, 900),
    "topic": (0, 60),
}


@cache
def fitted_words() -> tuple[list[tuple[str, int]], float]:
    """The real pages' words with their counts, most frequent first, and the exponent of the
    rank-frequency curve past them."""
    words: list[tuple[str, int]] = []
    exponent = 1.0
    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("# exponent"):
            exponent = float(line.split()[-1])
        elif line and not line.startswith("#"):
            word, count = line.split()
            words.append((word, int(count)))
    return words, exponent


class WordSampler:
    """Words drawn with the frequencies of real OJP page text (``bench/ojp_words.txt``, fitted by
    ``bench.synthetic_fit``), continued past those by made-up rare words whose frequencies fall
    along the real pages' rank-frequency curve, so the vocabulary keeps growing with the corpus."""

    def __init__(self, rng: random.Random, extra: int = 20000) -> None:
        self.rng = rng
        head, exponent = fitted_words()
        self.words = [w for w, _ in head] + [self._rare(i) for i in range(extra)]
        last_rank, last_count = len(head), head[-1][1]
        tail = (
            last_count * (last_rank / r) ** exponent
            for r in range(last_rank + 1, len(self.words) + 1)
        )
        self.cum = list(accumulate([float(c) for _, c in head] + list(tail)))

    def _rare(self, n: int) -> str:
        syllables = ["ka", "ri", "to", "men", "sul", "ver", "dan", "ex", "lo", "pra", "ti", "on"]
        word = ""
        while n or not word:
            n, digit = divmod(n, len(syllables))
            word += syllables[digit]
        return word + "ic"

    def words_n(self, n: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=n)

    def sentence(self, n: int) -> str:
        words = self.words_n(n)
        return " ".join(words).capitalize() + "."

    def text(self, n_words: int) -> str:
        out, left = [], n_words
        while left > 0:
            k = min(left, self.rng.randint(8, 24))
            out.append(self.sentence(k))
            left -= k
        return " ".join(out)


def synthetic_records(n: int, seed: int = 1) -> Iterator[Record]:
    """``n`` synthetic Records; the same ``n`` and ``seed`` always give the same records."""
    rng = random.Random(seed)
    sampler = WordSampler(rng)
    agencies, agency_w = zip(*AGENCY_WEIGHTS.items(), strict=True)
    kinds, kind_w = zip(*KIND_WEIGHTS.items(), strict=True)
    for i in range(n):
        agency = rng.choices(agencies, agency_w)[0]
        kind = rng.choices(kinds, kind_w)[0]
        yield make_record(i, agency, kind, rng, sampler)


def make_record(i: int, agency: str, kind: str, rng: random.Random, sampler: WordSampler) -> Record:
    host = "www.ojp.gov" if agency in ("OJP", "NCJRS") else f"{agency.lower()}.ojp.gov"
    url = f"https://{host}/{kind}/{i:07d}-{'-'.join(sampler.words_n(4))}"
    low, high = BODY_WORDS.get(kind, (100, 600))
    year = rng.randint(1975, 2026) if kind == "publication" else rng.randint(2005, 2026)
    published = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if rng.random() < 0.2:
        published = published[:4]
    attachments: tuple[Attachment, ...] = ()
    if kind == "publication" and rng.random() < 0.1:
        attachments = (
            Attachment(
                url=url + ".pdf",
                title=sampler.sentence(6),
                media_type="application/pdf",
                pages=rng.randint(2, 120),
                text=sampler.text(rng.randint(300, 2000)),
            ),
        )
    return Record(
        id=record_id(url),
        url=url,
        site=agency.lower(),
        agency=agency,
        content_type=kind,
        title=sampler.sentence(rng.randint(5, 14)).rstrip("."),
        summary=sampler.text(rng.randint(25, 70)),
        body=sampler.text(rng.randint(low, high)),
        topics=tuple(sorted(set(rng.sample(DOMAIN, rng.randint(1, 4))))),
        authors=tuple(
            f"{sampler.words_n(1)[0].title()} {sampler.words_n(1)[0].title()}"
            for _ in range(rng.randint(0, 3) if kind == "publication" else 0)
        ),
        published=published,
        ncj_number=str(100000 + i) if kind == "publication" else None,
        opportunity_id=f"O-{agency}-{year}-{170000 + i}" if kind == "funding" else None,
        attachments=attachments,
        language="en",
        fetched_at="2026-01-01T00:00:00Z",
    ).with_hash()
