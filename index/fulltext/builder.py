"""Build a new Whoosh index in one pass, several times faster than Whoosh's default writer.

``IndexBuilder`` is a Whoosh ``SegmentWriter`` for a new, empty index. It writes the index files
the default writer writes for the same documents (the same terms, postings, stored fields,
lengths and columns; a test compares the two term by term), and takes three shortcuts:

- Text analysed by a standard Whoosh chain (regex tokenizer, lowercase, stop words, optional
  stemmer: ``StemmingAnalyzer`` and ``StandardAnalyzer``) is tokenised with one regular
  expression call per value and a stem cache, instead of a generator chain per token. Other
  fields (ids, keywords, numbers) go through the field's own ``index()``.
- Postings are gathered per term in compact arrays rather than as one sortable tuple per posting,
  and are spilled to sorted run files (one record per term) only past ``limitmb``.
- Posting blocks are handed to the codec whole, with each document's field length already known
  (the default writer reads it back from the length column once per posting).

Stored fields, columns and field lengths go through Whoosh's own per-document writer. Written
against whoosh-reloaded 2.7.5 (the version pinned in pyproject.toml): the block writer's buffers
are filled directly.
"""

from __future__ import annotations

import heapq
import pickle
import re
import struct
import tempfile
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate, groupby, pairwise
from operator import itemgetter
from typing import IO, Any

from whoosh import formats
from whoosh.analysis import (
    CompositeAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.tokenizers import default_pattern
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3PostingsWriter
from whoosh.index import Index
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from index.fulltext.analysis import text_analyzer
from index.fulltext.pairs import FIELD_SEPARATOR, PairAnalyzer, PairFormat, document_pairs

#: Whoosh's default token pattern without its capturing group, for ``findall``.
_TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")
_PACK_UINT = struct.Struct("!I").pack
#: A posting: (term bytes, frequency, weight, encoded value).
Posting = tuple[bytes, int, float, bytes]
#: A run record: (field, term bytes, doc numbers, weights, values, value lengths), arrays as bytes.
RunRecord = tuple[str, bytes, bytes, bytes, bytes, bytes]
#: Estimated bytes of memory per posting (arrays + value bytes + term overhead).
_POSTING_BYTES = 40
#: Posting blocks smaller than this (pickled) are stored uncompressed: zlib's set-up costs more
#: time than the few bytes it could save (most terms have a single short block).
MIN_COMPRESSED_BLOCK = 200


class TermCache(dict[str, bytes]):
    """word → its term as index bytes (stemmed when there is a stemmer), computed once per word."""

    def __init__(self, stem: Callable[[str], str] | None, ignore: Iterable[str] = ()) -> None:
        super().__init__((word, word.encode("utf-8")) for word in ignore)
        self.stem = stem

    def __missing__(self, word: str) -> bytes:
        term = self[word] = (self.stem(word) if self.stem else word).encode("utf-8")
        return term


class TextAnalysis:
    """The terms and positions a standard Whoosh analyzer chain makes of a text, computed in bulk.

    ``for_analyzer`` returns None for any other analyzer; such fields use ``field.index()``.
    """

    def __init__(
        self, stops: frozenset[str], minsize: int, maxsize: int | None, terms: TermCache
    ) -> None:
        self.stops = stops
        self.minsize = minsize
        self.maxsize = maxsize
        self.terms = terms
        self._single: dict[int, bytes] = {}  # position → encoded one-position posting
        #: text → its words, for the document being added (a field's text is analysed once for
        #: its own postings and once for the word pairs).
        self.memo: dict[str, tuple[list[bytes], int]] = {}

    @classmethod
    def for_analyzer(cls, analyzer: Any) -> TextAnalysis | None:
        items = list(analyzer.items) if isinstance(analyzer, CompositeAnalyzer) else []
        if len(items) not in (3, 4):
            return None
        tokenizer, lower, stop, *rest = items
        if not (
            type(tokenizer) is RegexTokenizer
            and tokenizer.expression.pattern == default_pattern.pattern
            and not tokenizer.gaps
            and type(lower) is LowercaseFilter
            and type(stop) is StopFilter
            and stop.renumber
        ):
            return None
        terms = TermCache(None)
        if rest:
            stem = rest[0]
            if type(stem) is not StemFilter or stem.lang:
                return None
            terms = TermCache(stem.stemfn, stem.ignore)
        return cls(stop.stops, stop.min, stop.max, terms)

    def words(self, text: str) -> tuple[list[bytes], int]:
        """The terms of the kept (lowercased, not stopped) words, and the first one's position."""
        found = self.memo.get(text)
        if found is None:
            found = self.memo[text] = self._words(text)
        return found

    def _words(self, text: str) -> tuple[list[bytes], int]:
        tokens = "\x00".join(_TOKEN.findall(text)).lower().split("\x00")
        stops, minsize, maxsize = self.stops, self.minsize, self.maxsize
        kept = [w for w in tokens if len(w) >= minsize and w not in stops]
        if maxsize is not None:
            kept = [w for w in kept if len(w) <= maxsize]
        if not kept:
            return [], 0
        # Whoosh's StopFilter keeps the first kept token's own position and numbers the rest
        # consecutively after it.
        terms = self.terms
        return [terms[w] for w in kept], tokens.index(kept[0])

    def positions(self, text: str, boost: float) -> list[Posting]:
        """Postings of a ``Positions`` field: bytes as ``formats.Positions.encode`` makes them."""
        words, start = self.words(text)
        poses: dict[bytes, list[int]] = {}
        for pos, word in enumerate(words, start):
            seen = poses.get(word)
            if seen is None:
                poses[word] = [pos]
            else:
                seen.append(pos)
        single = self._single
        out = []
        for word, plist in poses.items():
            if len(plist) == 1:
                pos = plist[0]
                value = single.get(pos)
                if value is None:
                    value = single[pos] = _encode_positions(plist)
                out.append((word, 1, boost, value))
            else:
                out.append((word, len(plist), len(plist) * boost, _encode_positions(plist)))
        return out

    def existence(self, text: str, boost: float) -> list[Posting]:
        """Postings of an ``Existence`` field: each distinct word once."""
        words, _ = self.words(text)
        return [(word, 1, boost, b"") for word in dict.fromkeys(words)]


class PairAnalysis:
    """The postings of the ``pairs`` field (``index.fulltext.pairs``) from the words a
    ``TextAnalysis`` makes of each field's text."""

    def __init__(self, words: TextAnalysis, analyzer: PairAnalyzer) -> None:
        self.words = words
        self.fields = len(analyzer.fields)
        self.numbers = {w.encode("utf-8"): n for w, n in analyzer.numbers().items()}
        self.buckets = analyzer.buckets

    def postings(self, value: str, boost: float) -> list[Posting]:
        texts = value.split(FIELD_SEPARATOR)[: self.fields]
        fields_words = [self.words.words(text)[0] for text in texts]
        return [
            (term.encode("ascii"), 1, 1.0, data)
            for term, data in document_pairs(fields_words, self.numbers, self.buckets)
        ]


def _encode_positions(plist: list[int]) -> bytes:
    deltas = [plist[0], *(b - a for a, b in pairwise(plist))]
    return _PACK_UINT(len(deltas)) + pickle.dumps(deltas, 2)


class TermPostings:
    """One term's postings, in document order: numbers, weights and encoded values."""

    __slots__ = ("docs", "lens", "values", "weights")

    def __init__(self) -> None:
        self.docs = array("I")
        self.weights = array("f")
        self.values = bytearray()
        self.lens = array("I")

    def to_record(self, fieldname: str, term: bytes) -> RunRecord:
        return (
            fieldname,
            term,
            self.docs.tobytes(),
            self.weights.tobytes(),
            bytes(self.values),
            self.lens.tobytes(),
        )

    def extend(self, record: RunRecord) -> None:
        self.docs.frombytes(record[2])
        self.weights.frombytes(record[3])
        self.values += record[4]
        self.lens.frombytes(record[5])


class IndexBuilder(SegmentWriter):  # type: ignore[misc]
    """A writer for filling a new, empty index: ``add_document()`` each document, ``commit()``."""

    def __init__(self, ix: Index, *, limitmb: int = 256) -> None:
        if not ix.is_empty():
            raise ValueError("IndexBuilder fills a new, empty index")
        # Separate segment files, not one compound file: Whoosh reads a compound segment by
        # copying all of it into memory each time the index is opened.
        super().__init__(ix, limitmb=limitmb, compound=False)
        self._budget = limitmb * 1024 * 1024
        self._estimate = 0
        self._postings: dict[str, dict[bytes, TermPostings]] = {}
        self._runs: list[IO[bytes]] = []
        self._lengths: dict[str, array[int]] = {}  # field → quantised length per document
        self._analysis: dict[str, Callable[[str, float], list[Posting]]] = {}
        analyses: dict[int, TextAnalysis | None] = {}  # one per analyzer, shared by its fields

        def analysis_of(analyzer: Any) -> TextAnalysis | None:
            if id(analyzer) not in analyses:
                analyses[id(analyzer)] = TextAnalysis.for_analyzer(analyzer)
            return analyses[id(analyzer)]

        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"IndexBuilder cannot write term vectors or spelling ({name})")
            if field.scorable:
                self._lengths[name] = array("I")
            analyzer = getattr(field, "analyzer", None)
            if type(analyzer) is PairAnalyzer and type(field.format) is PairFormat:
                words = analysis_of(text_analyzer())
                if words is not None:
                    pairs = PairAnalysis(words, analyzer)
                    self._analysis[name] = pairs.postings
                continue
            analysis = analysis_of(analyzer)
            if analysis is None or field.format is None:
                continue
            if type(field.format) is formats.Positions:
                self._analysis[name] = analysis.positions
            elif type(field.format) is formats.Existence:
                self._analysis[name] = analysis.existence
        #: The fields whose text is analysed in bulk (the others use ``field.index()``).
        self.bulk_fields = frozenset(self._analysis)
        self._memos = [a.memo for a in analyses.values() if a is not None]

    # -- documents -------------------------------------------------------------------------------

    def add_document(self, **fields: Any) -> None:
        """Add one document (field name → value), as ``SegmentWriter.add_document`` would."""
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        perdoc = self.perdocwriter
        names = sorted(fields)  # no "_boost" / "_stored_" options: unknown fields here
        self._check_fields(schema, names)
        lengths: dict[str, int] = {}
        for memo in self._memos:
            memo.clear()
        perdoc.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                length = self._add_postings(name, field, value, docnum)
                if not field.scorable:
                    length = 0
                lengths[name] = length
            perdoc.add_field(name, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdoc.add_column_value(name, column, field.to_column_value(value))
        perdoc.finish_doc()
        for name, column_lengths in self._lengths.items():
            byte = length_to_byte(lengths.get(name, 0))
            column_lengths.append(byte_to_length(byte) if byte else 0)
        self._added = True
        self.docnum += 1
        if self._estimate > self._budget:
            self._spill()

    def _add_postings(self, name: str, field: Any, value: Any, docnum: int) -> int:
        analyse = self._analysis.get(name)
        if analyse is not None and isinstance(value, str):
            items: Iterable[Posting] = analyse(value, field.format.field_boost)
        else:
            items = field.index(value)
        terms = self._postings.setdefault(name, {})
        length = 0
        count = 0
        for term, freq, weight, vbytes in items:
            postings = terms.get(term)
            if postings is None:
                postings = terms[term] = TermPostings()
            postings.docs.append(docnum)
            postings.weights.append(weight)
            if vbytes:
                postings.values += vbytes
                postings.lens.append(len(vbytes))
            length += freq
            count += 1
        self._estimate += count * _POSTING_BYTES
        return length

    # -- runs ------------------------------------------------------------------------------------

    def _sorted_records(self) -> Iterator[RunRecord]:
        for name in sorted(self._postings):
            terms = self._postings[name]
            for term in sorted(terms):
                yield terms[term].to_record(name, term)

    def _spill(self) -> None:
        """Write the postings gathered so far to a sorted run file and start afresh."""
        # Open until the commit merges it; closed (and so deleted) by _close_segment.
        run = tempfile.TemporaryFile(dir=self.storage.folder, prefix=".run-")  # noqa: SIM115
        for record in self._sorted_records():
            pickle.dump(record, run, pickle.HIGHEST_PROTOCOL)
        run.seek(0)
        self._runs.append(run)
        self._postings = {}
        self._estimate = 0

    def _merged(self) -> Iterator[tuple[str, bytes, TermPostings]]:
        """Every (field, term, postings) in order, merging the runs (which are in doc order)."""
        if not self._runs:
            for name in sorted(self._postings):
                terms = self._postings.pop(name)
                for term in sorted(terms):
                    yield name, term, terms.pop(term)
            return
        self._spill()
        streams = [_read_run(run) for run in self._runs]
        # A term's records are taken run by run (``merge`` keeps its inputs' order among equal
        # keys), so its documents stay in increasing order.
        by_term = itemgetter(0, 1)
        for (name, term), group in groupby(heapq.merge(*streams, key=by_term), key=by_term):
            postings = TermPostings()
            for record in group:
                postings.extend(record)
            yield name, term, postings

    # -- commit ----------------------------------------------------------------------------------

    def _flush_segment(self) -> None:
        """Write the terms and postings (``SegmentWriter`` would merge its sorted pool here)."""
        self.perdocwriter.close()
        writer = self.fieldwriter
        current = None
        for name, term, postings in self._merged():
            if name != current:
                if current is not None:
                    writer.finish_field()
                writer.start_field(name, self.schema[name])
                writer._postwriter = BlockWriter(
                    writer._postfile,
                    blocklimit=self.codec._blocklimit,
                    compression=self.codec._compression,
                    inlinelimit=self.codec._inlinelimit,
                )
                current = name
            writer.start_term(term)
            self._write_blocks(writer._postwriter, postings, self._lengths.get(name))
            writer.finish_term()
        if current is not None:
            writer.finish_field()
        writer.close()

    def _write_blocks(
        self, postwriter: Any, postings: TermPostings, lengths: array[int] | None
    ) -> None:
        """Fill the codec's block buffer a block at a time; ``finish_term`` writes the last one."""
        docs, weights = postings.docs, postings.weights
        values = bytes(postings.values)
        ends = list(accumulate(postings.lens, initial=0))
        limit = postwriter._blocklimit
        count = len(docs)
        for start in range(0, count, limit):
            if start:
                postwriter._write_block()
            end = min(start + limit, count)
            postwriter._ids = docs[start:end]
            postwriter._weights = weights[start:end]
            postwriter._maxweight = max(postwriter._weights)
            if values:
                postwriter._values = [values[ends[i] : ends[i + 1]] for i in range(start, end)]
            if lengths is not None:
                found = [n for n in map(lengths.__getitem__, postwriter._ids) if n]
                if found:
                    postwriter._minlength = min(found)
                    postwriter._maxlength = max(found)

    def _close_segment(self) -> None:
        super()._close_segment()
        for run in self._runs:
            run.close()
        self._runs = []

    def cancel(self) -> None:
        self._postings = {}
        super().cancel()


class BlockWriter(W3PostingsWriter):  # type: ignore[misc]
    """Whoosh's posting block writer, except that small blocks are left uncompressed (each
    block's header says whether it is compressed; the reader handles both)."""

    def _write_block(self, last: bool = False) -> None:
        postfile = self._postfile
        if not self._blockcount:
            postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), 2)
        compression = self._compression if len(data) >= MIN_COMPRESSED_BLOCK else 0
        if compression:
            data = zlib.compress(data, compression)
        ids = self._ids
        info = (
            len(ids),
            ids[-1],
            self._maxweight,
            compression,
            length_to_byte(self._minlength),
            length_to_byte(self._maxlength),
        )
        infobytes = pickle.dumps(info, 2)
        size = len(infobytes) + len(data)
        postfile.write_int(-size if last else size)  # a negative size marks the last block
        postfile.write(infobytes)
        postfile.write(data)
        self._blockcount += 1
        self._new_block()


def _read_run(run: IO[bytes]) -> Iterator[RunRecord]:
    while True:
        try:
            yield pickle.load(run)
        except EOFError:
            return
