"""Citations (`export --format ris|bibtex|csljson`, `show ID --cite ...`) read back by real
parsers: bibtexparser for BibTeX, rispy for RIS, jsonschema for CSL-JSON. The records are pages
of the sample site, normalized and stored as a refresh stores them (no crawl)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import bibtexparser
import jsonschema
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts

import search_cli
from crawlers.normalize import normalize_page
from crawlers.sample_site.server import SITE_ROOT
from crawlers.sample_site.site_definitions import PREFIXES
from index.citations import bibtex_entries, csl_items, ris_entries, write_citations
from index.datadir import DataDir
from index.fulltext.writer import update_index
from index.names import Name, author_name
from index.records import Record
from index.store import Store
from tests.store_builders import fetched, make_record, run_crawl

BASE_URL = "http://127.0.0.1:8000"
FETCHED_AT = "2026-01-02T09:30:00+00:00"
ACCESSED = "2026-01-02"
ABSTRACTS = "/ncjrs/virtual-library/abstracts/"
#: Sample pages by a short name: NCJRS abstracts with journal citations, library publications,
#: an agency's own guide (a corporate author), a topic article, an event page.
PAGES = {
    "naloxone": ABSTRACTS + "law-enforcement-naloxone-programs-opioid-overdose",
    "legitimacy": ABSTRACTS + "police-legitimacy-procedural-justice-review",
    "elder": ABSTRACTS + "united-states-department-justices-elder-abuse-initiatives",
    "needs": "/library/publications/forensic-science-technology-needs-assessment",
    "fight": "/library/publications/fight-against-human-trafficking",
    "guide": "/txtfiles/155063.txt",
    "article": "/nij/topics/articles/improving-collection-digital-evidence",
    "event": "/nij/events/conference-2023",
}


def sample_record(path: str) -> Record:
    """The record a refresh makes of one sample page."""
    file = SITE_ROOT / (path.lstrip("/") if path.endswith(".txt") else path.lstrip("/") + ".html")
    prefix = max((p for p in PREFIXES if path.startswith(p.prefix)), key=lambda p: len(p.prefix))
    media = "text/plain" if path.endswith(".txt") else "text/html; charset=utf-8"
    record = normalize_page(
        BASE_URL + path,
        file.read_bytes().replace(b"{{BASE_URL}}", BASE_URL.encode()),
        {"Content-Type": media},
        site=prefix.name,
        agency=prefix.agency,
        fetched_at=FETCHED_AT,
    )
    assert isinstance(record, Record), path
    return record


@pytest.fixture(scope="module")
def records() -> dict[str, Record]:
    return {name: sample_record(path) for name, path in PAGES.items()}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, records: dict[str, Record]) -> DataDir:
    data = DataDir(tmp_path_factory.mktemp("citations") / "data").ensure()
    with Store.open(data) as store:
        run_crawl(store, [fetched(r) for r in records.values()], site="sample")
        update_index(store, data)
    return data


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = search_cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def parse_bibtex(text: str) -> dict[str, dict[str, Any]]:
    """Entries by URL: their type and key, and their fields with names split and LaTeX
    decoded, as bibtexparser reads them."""
    library = bibtexparser.parse_string(
        text,
        append_middleware=[SeparateCoAuthors(), SplitNameParts(), LatexDecodingMiddleware()],
    )
    assert library.failed_blocks == []
    entries = {}
    for entry in library.entries:
        fields = {field.key: field.value for field in entry.fields}
        entries[fields["url"]] = {"type": entry.entry_type, "key": entry.key, **fields}
    assert len(entries) == len(library.entries)
    return entries


def url(name: str) -> str:
    return BASE_URL + PAGES[name]


# -- BibTeX ----------------------------------------------------------------------------------


def test_bibtex_export_by_extension_reads_back_in_bibtexparser(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir, tmp_path: Path
) -> None:
    target = tmp_path / "refs.bib"
    code, out, err = cli(capsys, "export", "-o", str(target), "--data-dir", str(data_dir.root))
    assert (code, out) == (0, "")
    assert err == f"Exported {len(PAGES)} record(s) to {target}.\n"
    entries = parse_bibtex(target.read_text(encoding="utf-8"))
    assert len(entries) == len(PAGES)

    naloxone = entries[url("naloxone")]
    assert naloxone["type"] == "article"
    assert naloxone["key"] == "whitfield2019law"
    assert [(n.first, n.last) for n in naloxone["author"]] == [
        (["Renee"], ["Whitfield"]),
        (["Omar"], ["Castellanos"]),
        (["Dana", "P."], ["Kessler"]),
    ]
    assert naloxone["title"] == "Law Enforcement Naloxone Programs and Opioid Overdose Reversals"
    assert naloxone["journal"] == "Journal of Drug Issues"
    assert (naloxone["volume"], naloxone["number"]) == ("49", "3")
    assert naloxone["pages"] == "512–530"  # "512--530", an en dash once decoded
    assert (naloxone["year"], naloxone["month"], naloxone["date"]) == ("2019", "jul", "2019-07")
    assert naloxone["note"] == "NCJ 254211"
    assert naloxone["urldate"] == ACCESSED
    assert "publisher" not in naloxone and "institution" not in naloxone

    legitimacy = entries[url("legitimacy")]
    assert legitimacy["journal"] == "Criminology & Public Policy"  # "\&" decoded

    needs = entries[url("needs")]
    assert needs["type"] == "techreport"
    assert needs["institution"] == "National Institute of Justice"
    assert (needs["note"], needs["year"], needs["month"]) == ("NCJ 303210", "2022", "mar")
    assert "author" not in needs  # no author is made up

    guide = entries[url("guide")]
    assert guide["type"] == "techreport"
    assert [(n.first, n.last) for n in guide["author"]] == [
        ([], ["{National Institute of Justice}"])  # a corporate author: one braced last name
    ]
    assert guide["series"] == "NCJRS Guide"
    assert guide["key"] == "nij1997ncjrs"

    assert entries[url("article")]["type"] == "techreport"
    event = entries[url("event")]
    assert event["type"] == "misc"
    assert (event["url"], event["urldate"]) == (url("event"), ACCESSED)
    assert event["organization"] == "National Institute of Justice"


def test_bibtex_keys_are_unique_in_an_export() -> None:
    twins = [make_record(slug, title="Body-Worn Cameras", authors=("Jane Doe",)) for slug in "ab"]
    keys = [entry.split(",", 1)[0] for entry in bibtex_entries([*twins, twins[0]])]
    assert keys == [
        "@techreport{doe2019bodyworn",
        "@techreport{doe2019bodyworn-2",
        "@techreport{doe2019bodyworn-3",
    ]


def test_bibtex_protects_acronyms_from_lower_casing(records: dict[str, Record]) -> None:
    (entry,) = bibtex_entries([records["guide"]])
    assert "title = {{NCJRS} National Criminal Justice Reference Service User's Guide}," in entry


# -- RIS -------------------------------------------------------------------------------------


def test_ris_export_reads_back_in_rispy(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir
) -> None:
    code, out, _ = cli(capsys, "export", "--format", "RIS", "--data-dir", str(data_dir.root))
    assert code == 0
    entries = {entry["urls"][0]: entry for entry in rispy.loads(out)}
    assert len(entries) == len(PAGES)

    naloxone = entries[url("naloxone")]
    assert naloxone["type_of_reference"] == "JOUR"
    assert naloxone["authors"] == ["Whitfield, Renee", "Castellanos, Omar", "Kessler, Dana P."]
    assert naloxone["title"] == "Law Enforcement Naloxone Programs and Opioid Overdose Reversals"
    assert naloxone["secondary_title"] == "Journal of Drug Issues"
    assert (naloxone["volume"], naloxone["number"]) == ("49", "3")
    assert (naloxone["start_page"], naloxone["end_page"]) == ("512", "530")
    assert (naloxone["year"], naloxone["date"]) == ("2019", "2019/07")
    assert naloxone["call_number"] == "NCJ 254211"
    assert naloxone["access_date"] == "2026/01/02"
    assert "publisher" not in naloxone

    needs = entries[url("needs")]
    assert needs["type_of_reference"] == "RPRT"
    assert needs["publisher"] == "National Institute of Justice"
    assert needs["call_number"] == "NCJ 303210"

    # An organisation: nothing after its comma, which Zotero and EndNote read as one name.
    assert entries[url("guide")]["authors"] == ["National Institute of Justice,"]
    assert entries[url("guide")]["keywords"] == ["Reference services"]

    event = entries[url("event")]
    assert event["type_of_reference"] == "ELEC"
    assert event["secondary_title"] == "National Institute of Justice"  # the website
    assert event["access_date"] == "2026/01/02"


# -- CSL-JSON --------------------------------------------------------------------------------

NAME = {
    "type": "object",
    "properties": {
        key: {"type": "string", "minLength": 1}
        for key in ("family", "given", "non-dropping-particle", "suffix", "literal")
    },
    "additionalProperties": False,
    "oneOf": [{"required": ["family"]}, {"required": ["literal"]}],
}
DATE = {
    "type": "object",
    "properties": {
        "date-parts": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": {
                "type": "array",
                "minItems": 1,
                "maxItems": 3,
                "items": {"type": "integer", "minimum": 1},
            },
        }
    },
    "required": ["date-parts"],
    "additionalProperties": False,
}
TEXT = {"type": "string", "minLength": 1}
#: The CSL-JSON we write, in JSON Schema: the CSL data schema's names for the variables we emit
#: (standard variables, types, name and date shapes), and nothing else. Written for this test;
#: no maintained PyPI package installs the official csl-data.json to validate against.
CSL_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "id": TEXT,
            "type": {"enum": ["article-journal", "report", "webpage"]},
            "author": {"type": "array", "items": NAME, "minItems": 1},
            "issued": DATE,
            "accessed": DATE,
            **{
                key: TEXT
                for key in (
                    "title",
                    "container-title",
                    "volume",
                    "issue",
                    "page",
                    "publisher",
                    "collection-title",
                    "call-number",
                    "URL",
                    "abstract",
                    "keyword",
                )
            },
        },
        "required": ["id", "type", "title"],
        "additionalProperties": False,
    },
}


def test_csljson_export_is_valid_csl_with_the_fields(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir, tmp_path: Path
) -> None:
    target = tmp_path / "refs.json"  # a .json file takes --format csljson as well as json
    code, _, err = cli(
        capsys, "export", "-f", "CSLJSON", "-o", str(target), "--data-dir", str(data_dir.root)
    )
    assert code == 0, err
    items = json.loads(target.read_text(encoding="utf-8"))
    jsonschema.validate(items, CSL_SCHEMA)
    by_url = {item["URL"]: item for item in items}
    assert len(by_url) == len(PAGES)

    elder = by_url[url("elder")]
    assert elder["type"] == "article-journal"
    assert elder["author"][0] == {"family": "Ivkovich", "given": "Laura"}
    assert elder["container-title"] == "Journal of Federal Law and Practice"
    assert (elder["volume"], elder["issue"], elder["page"]) == ("66", "7", "3-30")
    assert elder["issued"] == {"date-parts": [[2018, 12]]}
    assert elder["call-number"] == "NCJ 252538"
    assert elder["accessed"] == {"date-parts": [[2026, 1, 2]]}

    assert by_url[url("guide")]["author"] == [{"literal": "National Institute of Justice"}]
    needs = by_url[url("needs")]
    assert (needs["type"], needs["publisher"]) == ("report", "National Institute of Justice")
    assert by_url[url("fight")]["issued"] == {"date-parts": [[2019, 6, 1]]}
    assert by_url[url("fight")]["collection-title"] == "NIJ Journal"
    event = by_url[url("event")]
    assert (event["type"], event["container-title"]) == ("webpage", "National Institute of Justice")

    # Without --format, a .json file is the records themselves.
    code, _, _ = cli(capsys, "export", "-o", str(target), "--data-dir", str(data_dir.root))
    assert code == 0
    assert "schema_version" in json.loads(target.read_text(encoding="utf-8"))[0]


# -- show --cite -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["ris", "bibtex", "csljson"])
def test_show_cite_prints_the_entry_the_export_writes(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir, records: dict[str, Record], fmt: str
) -> None:
    code, out, err = cli(capsys, "show", "254211", "--cite", fmt, "--data-dir", str(data_dir.root))
    assert (code, err) == (0, "")
    expected = io.StringIO()
    write_citations([records["naloxone"]], fmt, expected)
    assert out == expected.getvalue()


def test_show_cite_of_a_web_page(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir, records: dict[str, Record]
) -> None:
    event = records["event"]
    code, out, _ = cli(
        capsys, "show", event.id, "--cite", "BibTeX", "--data-dir", str(data_dir.root)
    )
    assert code == 0
    (entry,) = parse_bibtex(out).values()
    assert entry["type"] == "misc"
    assert entry["title"] == "National Research Conference 2023"
    assert (entry["url"], entry["urldate"]) == (event.url, ACCESSED)


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["show", "254211", "--cite", "endnote"],
            "Error: unknown citation format 'endnote': use ris, bibtex, csljson.",
        ),
        (["show", "254211", "--cite", "ris", "--json"], "Error: use --cite or --json, not both."),
        (
            ["export", "--format", "bibtex", "-o", "refs.ris"],
            "Error: the format bibtex does not match the file name refs.ris; "
            "name it *.bib or give --format ris.",
        ),
        (
            ["export", "--format", "csljson", "-o", "refs.bib"],
            "Error: the format csljson does not match the file name refs.bib; "
            "name it *.json or give --format bibtex.",
        ),
        (
            ["export", "--format", "endnote"],
            "Error: unknown format 'endnote': use jsonl, csv, json, xlsx, ris, bibtex, csljson.",
        ),
    ],
)
def test_citation_mistakes_are_one_line(
    capsys: pytest.CaptureFixture[str],
    data_dir: DataDir,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, *args, "--data-dir", str(data_dir.root))
    assert (code, out, err) == (2, "", message + "\n")
    assert list(tmp_path.iterdir()) == []


# -- hostile text ----------------------------------------------------------------------------

HOSTILE_TITLE = (
    "Evil}, author = {Mallory},\n@misc{forged,\r\nTY  - JOUR\nER  - \u2028KW  - x"
    " 100% & #1 $5 a_b ~ ^ \\relax {"
)


def hostile_record() -> Record:
    return make_record(
        "hostile",
        title=HOSTILE_TITLE,
        summary="Line one.\nER  - \n\x1b[31mTY  - BOOK",
        authors=("Mallory\n} and {Eve", "Smith, John, Jr.\r\nAU  - Forged", "{Bob} & Co."),
        topics=("a}b", "Evil\nKW  - forged"),
        ncj_number="99}\n",
        details={"journal": "J}\nT2  - forged", "volume": "1{", "journal_pages": "1-2}"},
        url="https://www.ojp.gov/library/evil%7D?q={x}#frag",
    )


def test_hostile_text_cannot_break_an_entry_in_any_format() -> None:
    plain = make_record("plain", title="A plain report")
    records = [hostile_record(), plain]
    flat = " ".join(HOSTILE_TITLE.split())

    ris = rispy.loads("".join(ris_entries(records)))
    assert [entry["title"] for entry in ris] == [flat, "A plain report"]
    assert ris[0]["type_of_reference"] == "JOUR"
    assert ris[0]["abstract"] == "Line one. ER - [31mTY - BOOK"
    assert ris[0]["secondary_title"] == "J} T2 - forged"
    assert len(ris[0]["authors"]) == 3

    bibtex = "\n".join(bibtex_entries(records))
    for entry in bibtex.split("\n@"):  # braces balance in every entry, as BibTeX counts them
        depth = 0
        for char in entry:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0
        assert depth == 0
    entries = list(parse_bibtex(bibtex).values())
    assert [entry["type"] for entry in entries] == ["article", "techreport"]
    assert set(entries[0]) == {
        *("type", "key", "author", "title", "journal", "volume", "pages", "year"),
        *("month", "date", "note", "url", "urldate", "abstract", "keywords"),
    }
    assert entries[0]["key"] == "andeve2019evil"  # "Mallory } and { Eve": family "} and {Eve"
    assert len(entries[0]["author"]) == 3
    assert bibtex_unescaped(raw_field(bibtex, "title")) == flat
    assert entries[1]["title"] == "A plain report"

    (csl, _) = csl_items(records)
    assert csl["title"] == flat
    assert csl["author"][1] == {"family": "Smith", "given": "John", "suffix": "Jr. AU - Forged"}


def raw_field(text: str, name: str) -> str:
    """The first ``name = {...},`` value of a BibTeX text, as written."""
    match = re.search(rf"^  {name} = \{{(.*)\}},$", text, flags=re.M)
    assert match
    return match.group(1)


def bibtex_unescaped(value: str) -> str:
    """The text a BibTeX value stands for: escapes read back, protective braces dropped."""
    commands = {
        "textbraceleft": "{",
        "textbraceright": "}",
        "textbackslash": "\\",
        "textasciitilde": "~",
        "textasciicircum": "^",
    }
    return re.sub(
        r"\\(\w+)\{\}|\\([%&#_$])|[{}]",
        lambda m: commands[m[1]] if m[1] else m[2] or "",
        value,
    )


# -- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("display", "name"),
    [
        ("Jane Q. Smith", Name(family="Smith", given="Jane Q.")),
        ("Smith, Jane Q.", Name(family="Smith", given="Jane Q.")),
        ("Martin Luther King, Jr.", Name(family="King", given="Martin Luther", suffix="Jr.")),
        ("John Smith III", Name(family="Smith", given="John", suffix="III")),
        ("Dr. Dana P. Kessler, Ph.D.", Name(family="Kessler", given="Dana P.", suffix="Ph.D.")),
        ("Jan van der Berg", Name(family="Berg", given="Jan", particle="van der")),
        ("van der Berg, Jan", Name(family="Berg", given="Jan", particle="van der")),
        ("Charles de Gaulle", Name(family="Gaulle", given="Charles", particle="de")),
        ("De La Cruz, Maria", Name(family="De La Cruz", given="Maria")),
        ("Jane Smart", Name(family="Smart", given="Jane")),
        ("Westat", Name(family="Westat")),
        ("National Institute of Justice", Name(literal="National Institute of Justice")),
        ("U.S. Department of Justice", Name(literal="U.S. Department of Justice")),
        ("Urban Institute", Name(literal="Urban Institute")),
        ("RTI International", Name(literal="RTI International")),
        ("Abt Associates Inc.", Name(literal="Abt Associates Inc.")),
        ("BJS Staff", Name(literal="BJS Staff")),
        ("Smith & Wesson", Name(literal="Smith & Wesson")),
    ],
)
def test_author_names_are_split_or_kept_whole(display: str, name: Name) -> None:
    assert author_name(display) == name


def test_names_in_each_format() -> None:
    record = make_record(
        "names",
        authors=("Jan van der Berg", "Martin Luther King, Jr.", "National Institute of Justice"),
    )
    (ris,) = rispy.loads("".join(ris_entries([record])))
    assert ris["authors"] == [
        "van der Berg, Jan",
        "King, Martin Luther, Jr.",
        "National Institute of Justice,",
    ]
    (entry,) = parse_bibtex("".join(bibtex_entries([record]))).values()
    assert [(n.von, n.last, n.jr, n.first) for n in entry["author"]] == [
        (["van", "der"], ["Berg"], [], ["Jan"]),
        ([], ["King"], ["Jr."], ["Martin", "Luther"]),
        ([], ["{National Institute of Justice}"], [], []),
    ]
    (csl,) = csl_items([record])
    assert csl["author"] == [
        {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
        {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
        {"literal": "National Institute of Justice"},
    ]


def test_the_access_date_is_the_fetch_day_unless_given(records: dict[str, Record]) -> None:
    record = records["needs"]
    (fetched_day,) = rispy.loads("".join(ris_entries([record])))
    assert fetched_day["access_date"] == "2026/01/02"
    (given,) = rispy.loads("".join(ris_entries([record], accessed=date(2027, 3, 4))))
    assert given["access_date"] == "2027/03/04"
    (unknown,) = csl_items([replace(record, fetched_at="")])
    assert "accessed" not in unknown


def empty() -> Iterator[Record]:
    yield from ()


@pytest.mark.parametrize(("fmt", "text"), [("ris", ""), ("bibtex", ""), ("csljson", "[]\n")])
def test_no_records_is_an_empty_file(fmt: str, text: str) -> None:
    out = io.StringIO()
    assert write_citations(empty(), fmt, out) == 0
    assert out.getvalue() == text
