"""Extraction of each file type, the chunker's bounds, and the FTS5 index on its own."""

from __future__ import annotations

import pytest
from documents import CORPUS, docx_bytes, pdf_bytes

from asst_engine.testing.fake_script import embed
from asst_engine.tools.chunking import Chunking, chunks, count_tokens
from asst_engine.tools.extract import ExtractError, extract
from asst_engine.tools.index import FtsIndex


class HashEmbedder:
    """The fake model's embeddings, in process: a hashed bag of words."""

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [embed(text) for text in texts]


@pytest.mark.parametrize(
    ("name", "first_line"),
    [
        ("volcanoes.txt", "Volcanoes"),
        ("sourdough.md", "# Baking sourdough bread"),
        ("honeybees.html", "Honeybees"),
        ("tides.json", "{"),
        ("fibonacci.py", '"""Fibonacci numbers, computed three ways."""'),
        ("chess.pdf", "Chess openings"),
        ("photosynthesis.docx", "Photosynthesis"),
    ],
)
def test_each_kind_of_file_gives_its_text(name: str, first_line: str) -> None:
    text = extract(name, (CORPUS / name).read_bytes())
    assert text.splitlines()[0] == first_line


def test_html_drops_scripts_and_styles_and_keeps_blocks_as_lines() -> None:
    text = extract("honeybees.html", (CORPUS / "honeybees.html").read_bytes())
    assert "tracker" not in text and "font-family" not in text
    assert text.splitlines()[:3] == [
        "Honeybees",
        "How honeybees talk",
        "A forager that finds nectar returns to the hive and performs the waggle dance.",
    ]


def test_json_is_pretty_printed_and_pdf_and_docx_keep_their_lines() -> None:
    assert extract("a.json", b'{"b":[1,"two"]}') == '{\n  "b": [\n    1,\n    "two"\n  ]\n}'
    assert extract("a.pdf", pdf_bytes(["one (1)", "two"])) == "one [1]\ntwo"
    assert extract("a.docx", docx_bytes(["first", "second"])) == "first\nsecond"
    assert extract("A.MD", "\ufeffbom".encode()) == "bom"


@pytest.mark.parametrize(
    ("name", "data", "code", "message"),
    [
        ("photo.png", b"\x89PNG", "unsupported_file", "Files of type '.png' cannot be searched."),
        (
            "Makefile",
            b"all:",
            "unsupported_file",
            "Files of type 'without an extension' cannot be searched.",
        ),
        ("notes.txt", b"\xff\xfe\x00bad", "invalid_file", "The file is not UTF-8 text."),
        (
            "data.json",
            b"{oops",
            "invalid_file",
            "The file could not be parsed: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        (
            "doc.docx",
            b"not a zip",
            "invalid_file",
            "The file could not be parsed: File is not a zip file",
        ),
    ],
)
def test_files_without_text_say_why(name: str, data: bytes, code: str, message: str) -> None:
    with pytest.raises(ExtractError) as raised:
        extract(name, data)
    assert (raised.value.code, raised.value.message) == (code, message)


def test_a_broken_pdf_is_an_invalid_file() -> None:
    with pytest.raises(ExtractError) as raised:
        extract("broken.pdf", b"%PDF-1.4 nothing else")
    assert raised.value.code == "invalid_file"


def test_tokens_are_short_word_pieces_and_single_marks() -> None:
    assert count_tokens("The capital, of France!") == 8  # The capi tal , of Fran ce !
    assert count_tokens("") == 0


def test_chunks_hold_at_most_size_tokens_and_overlap_by_overlap() -> None:
    text = " ".join(f"w{i:03d}" for i in range(25))  # one token per word
    found = chunks(text, Chunking(size=10, overlap=4))
    assert [count_tokens(chunk) for chunk in found] == [10, 10, 10, 7]
    assert found[0] == "w000 w001 w002 w003 w004 w005 w006 w007 w008 w009"
    assert found[1].split()[:4] == found[0].split()[-4:]
    assert found[-1].split()[-1] == "w024"
    assert chunks(text, Chunking(size=25, overlap=0)) == [text]
    assert chunks("  \n ", Chunking()) == []


def test_chunks_keep_the_documents_spacing() -> None:
    assert chunks("a\n\n b", Chunking(size=100, overlap=0)) == ["a\n\n b"]


def test_chunking_comes_from_the_stored_strategy() -> None:
    assert Chunking.of(None) == Chunking(800, 400)
    assert Chunking.of({"type": "auto"}) == Chunking(800, 400)
    static = {
        "type": "static",
        "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 50},
    }
    assert Chunking.of(static) == Chunking(100, 50)


def test_bm25_ranks_replaces_and_removes_per_store_and_file() -> None:
    index = FtsIndex()
    index.add("vs1", "f1", ["red apples and green pears", "bananas"])
    index.add("vs1", "f2", ["apples apples apples"])
    index.add("vs2", "f3", ["apples in another store"])
    found = index.search(["vs1"], "apples", 10, None)
    assert (found[0].file_id, found[0].text, found[0].score) == ("f2", "apples apples apples", 1.0)
    assert [f.file_id for f in found] == ["f2", "f1"] and 0 < found[1].score < 1
    assert [f.file_id for f in index.search(["vs1"], "apples", 10, {("vs1", "f1")})] == ["f1"]
    assert [f.file_id for f in index.search(["vs1", "vs2"], "apple", 1, None)] == ["f2"]  # stems
    index.add("vs1", "f2", ["cherries"])
    assert [f.file_id for f in index.search(["vs1"], "apples", 10, None)] == ["f1"]
    index.remove("vs1", "f1")
    assert index.search(["vs1"], "apples", 10, None) == []
    index.remove("vs2")
    assert index.search(["vs2"], "apples", 10, None) == []
    assert index.search([], "apples", 10, None) == []
    assert index.search(["vs1"], '"") OR NEAR(', 10, None) == []  # FTS5 syntax is quoted away


def test_hybrid_fuses_bm25_with_vector_similarity() -> None:
    index = FtsIndex(embedder=HashEmbedder())
    index.add("vs", "a", ["tides follow the moon", "glaciers melt"])
    index.add("vs", "b", ["the moon and the tides"])
    found = index.search(["vs"], "moon tides", 10, None)
    assert [f.text for f in found] == [
        "tides follow the moon",
        "the moon and the tides",
        "glaciers melt",
    ]
    assert [round(f.score, 4) for f in found] == [
        1.0,
        round(61 / 62, 4),
        round(61 / 126, 4),
    ]  # ranks (1,1) (2,2) (-,3)
