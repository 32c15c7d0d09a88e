"""Text for the synthetic site: sentences and titles modelled on real OJP pages.

``corpus.txt`` holds sentences and headings taken from public-domain OJP page text, and the word
lists (names, places, series, journals) that facts are drawn from. A word-level Markov chain
recombines the sentences into new ones, and made-up program names placed in real states give the
long tail of rare words that a real site's vocabulary has.
"""

from __future__ import annotations

import random
from pathlib import Path

CORPUS_PATH = Path(__file__).with_name("corpus.txt")

Chain = dict[tuple[str, str], list[str]]


class TextSource:
    """Sentences, titles and word lists, plus Markov-made variations of the sentences."""

    def __init__(self, seed: int, pool_size: int = 4000, path: Path = CORPUS_PATH) -> None:
        corpus = read_corpus(path)
        rng = random.Random(f"text-{seed}")
        chain = build_chain(corpus["sentences"])
        made = (markov_sentence(chain, rng) for _ in range(pool_size))
        self.sentences: list[str] = corpus["sentences"] + [s for s in made if s]
        self.titles = corpus["titles"]
        self.title_chain = build_chain(self.titles)
        self.states = corpus["states"]
        self.first_names = corpus["first_names"]
        self.last_names = corpus["last_names"]
        self.syllables = corpus["syllables"]
        self.series = corpus["series"]
        self.journals = corpus["journals"]
        self.cities = corpus["cities"]
        self.rare_templates = corpus["rare_templates"]

    def title(self, rng: random.Random) -> str:
        """A heading: a Markov walk over real headings, or a real one with a place added."""
        for _ in range(5):
            made = markov_sentence(self.title_chain, rng, min_words=3, max_words=12)
            if made:
                return made
        return f"{rng.choice(self.titles)}: {rng.choice(self.states)}"

    def person(self, rng: random.Random) -> str:
        return f"{rng.choice(self.first_names)} {rng.choice(self.last_names)}"

    def rare_sentence(self, rng: random.Random) -> str:
        name = "".join(rng.choices(self.syllables, k=rng.randint(2, 4))).capitalize()
        return rng.choice(self.rare_templates).format(name=name, state=rng.choice(self.states))

    def paragraphs(self, rng: random.Random, words: int) -> list[str]:
        """Paragraphs of roughly ``words`` words, a rare name in about one in three."""
        out: list[str] = []
        count = 0
        while count < words:
            text = " ".join(rng.choices(self.sentences, k=rng.randint(2, 6)))
            if rng.random() < 0.35:
                text = f"{text} {self.rare_sentence(rng)}"
            out.append(text)
            count += text.count(" ") + 1
        return out


def read_corpus(path: Path) -> dict[str, list[str]]:
    """The corpus file's sections (``[name]`` lines) as lists of lines."""
    sections: dict[str, list[str]] = {}
    current = sections.setdefault("sentences", [])
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        current.append(line)
    return sections


def build_chain(lines: list[str]) -> Chain:
    """An order-2 word chain; ``""`` marks the start and the end of a line."""
    chain: Chain = {}
    for line in lines:
        words = ["", "", *line.split(), ""]
        for a, b, c in zip(words, words[1:], words[2:], strict=False):
            chain.setdefault((a, b), []).append(c)
    return chain


def markov_sentence(
    chain: Chain, rng: random.Random, *, min_words: int = 8, max_words: int = 60
) -> str:
    """One walk of the chain, or ``""`` when it is shorter or longer than wanted."""
    a, b = "", ""
    words: list[str] = []
    while len(words) <= max_words:
        nxt = rng.choice(chain[(a, b)])
        if not nxt:
            break
        words.append(nxt)
        a, b = b, nxt
    if not min_words <= len(words) <= max_words:
        return ""
    return " ".join(words)
