"""Author names as citations want them: a person split into family and given names, an
organisation kept whole as a corporate author.

Pages print authors as display names: ``"Jane Q. Smith"``, ``"Smith, Jane Q."``, ``"Martin
Luther King, Jr."``, ``"Jan van der Berg"``, or an organisation (``"National Institute of
Justice"``). A name is an organisation's when one of its words says so (Institute, Bureau,
Office, Department, Center, University, Inc...), when it holds a bureau's acronym, a digit or an
ampersand, or when it is too long to be a person's. Anything else is a person, split by
``nameparser`` (titles such as "Dr." dropped; suffixes such as "Jr.", "III" or "Ph.D." kept
apart). Lower-case words that open a family name ("van der", "de") are its particle, as BibTeX's
"von" part and CSL's ``non-dropping-particle`` read them; a capitalised one ("De La Cruz") stays
in the family name, as those conventions also do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.records import AGENCIES
from index.safe_text import one_line

#: Words that make a name an organisation's (compared without case and trailing punctuation).
ORGANISATION_WORDS = frozenset(
    """
    academy administration agency alliance associates association authority board bureau
    center centre coalition college commission committee company consortium corp corporation
    council court courts department division federal forum foundation group inc incorporated
    institute international laboratory league llc ltd ministry national network office
    partners partnership police program programs project service services society united
    university
    """.split()  # noqa: SIM905 (a list of words reads better as words)
)
#: More words than a person's name has: a phrase, kept whole.
LONGEST_PERSON = 6


@dataclass(frozen=True, slots=True)
class Name:
    """One author: a person's parts, or an organisation's whole name in ``literal``."""

    family: str = ""
    given: str = ""
    particle: str = ""  # "van der": written before the family name, lower case
    suffix: str = ""  # "Jr.", "III", "Ph.D."
    literal: str = ""  # an organisation (a corporate author), whole

    @property
    def is_organisation(self) -> bool:
        return bool(self.literal)

    @property
    def full_family(self) -> str:
        """The family name with its particle: "van der Berg"."""
        return f"{self.particle} {self.family}".strip()


def author_names(authors: tuple[str, ...] | list[str]) -> list[Name]:
    """Each non-blank display name as a ``Name``, in order."""
    return [name for name in map(author_name, authors) if name is not None]


def author_name(display: str) -> Name | None:
    """A display name split for a citation; None when it is blank."""
    text = " ".join(one_line(display).split()).strip(" ,;")
    if not text:
        return None
    if is_organisation(text):
        return Name(literal=text)
    from nameparser import HumanName  # 0.1 s to import: only when a name is split

    human = HumanName(text)
    family, given = human.last, " ".join(part for part in (human.first, human.middle) if part)
    if not family:  # one word ("Westat"), or nothing but a title ("Judge")
        family, given = given, ""
    if not family:
        return Name(literal=text)
    words = family.split()
    cut = 0
    while cut < len(words) - 1 and words[cut].islower():
        cut += 1
    return Name(
        family=" ".join(words[cut:]),
        given=given,
        particle=" ".join(words[:cut]),
        suffix=" ".join(human.suffix.replace(",", " ").split()),  # "PhD, MD" → "PhD MD"
    )


def is_organisation(text: str) -> bool:
    """Whether a display name is an organisation's rather than a person's."""
    words = [word.strip(".,;:()'’") for word in text.split()]
    return (
        any(word in AGENCIES for word in words)  # "NIJ", "BJS Staff"; "Smart" is a surname
        or any(word.lower() in ORGANISATION_WORDS for word in words)
        or bool(re.search(r"[\d&]", text))
        or len(words) > LONGEST_PERSON
    )
