"""The compiled BPE encoder gives exactly the ids `tokenizers` gives, for every text."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdfs.sample.corpus import load_articles
from mdfs.tokenize import encode_arrow, encode_documents, fast_encoder, hf_encode_documents, train_tokenizer
from mdfs.tokenize.fastbpe import FastBPE

TRICKY = [
    "", "\n", "\n\n", "a\n\nb\n", "哈哈哈哈哈哈哈哈哈哈", "aaaaaaaaaaaaaaaaaaaaaaaaa", "。。。。。。",
    "😀𠀀𪚥 emoji and ext-B", "<|eos|> is text here", "\t tabs  and   spaces \r\n", "\x00\x01\x7f",
    "中华人民共和国中华人民共和国中华人民共和国", "ＡＢＣ１２３全角", "繁體中文與简体中文",
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [a.text for a in load_articles()[:600]]


@pytest.fixture(scope="module", params=["fallback-lines", "fallback-none"])
def tok(request, texts):
    return train_tokenizer(texts[:400], 3000, design=request.param)


def _same(tok, docs: list[str], eos: int | None = 2) -> None:
    fast = fast_encoder(tok)
    assert fast is not None
    got_f, got_l = fast.encode(docs, eos)
    ref_f, ref_l = hf_encode_documents(tok, docs, eos)
    assert got_l.tolist() == ref_l.tolist()
    assert got_f.tolist() == ref_f.tolist()


def test_same_ids_on_real_text_held_out(tok, texts):
    _same(tok, texts[400:] + TRICKY)
    _same(tok, TRICKY, eos=None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Z", "S", "Cc"]), max_size=80), max_size=8))
def test_same_ids_on_random_text(tok, docs):
    _same(tok, docs)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet="的一是在不了有和人这中大为上个国我以要他\n 。，哈aab", max_size=120), min_size=1, max_size=6))
def test_same_ids_on_repetitive_text(tok, docs):
    """Runs of the same few symbols: where heap order and stale entries matter most."""
    _same(tok, docs)


def test_arrow_path_equals_strings(tok, texts):
    docs = texts[400:450] + TRICKY
    ref_f, ref_l = hf_encode_documents(tok, docs, 2)
    for arr in (pa.array(docs, pa.string()), pa.array(docs, pa.large_string())):
        f, l = encode_arrow(tok, arr, 2)
        assert f.tolist() == ref_f.tolist() and l.tolist() == ref_l.tolist()
    # a slice of an array with nulls: offsets and validity respected, null = empty document
    arr = pa.array(["前缀", None, *docs[:5]], pa.string()).slice(1)
    f, l = encode_arrow(tok, arr, 2)
    rf, rl = hf_encode_documents(tok, ["", *docs[:5]], 2)
    assert f.tolist() == rf.tolist() and l.tolist() == rl.tolist()
    assert encode_documents(tok, docs, None)[0].tolist() == hf_encode_documents(tok, docs, None)[0].tolist()


def test_only_designs_it_reproduces(texts):
    from tokenizers import Tokenizer

    assert FastBPE.from_tokenizer(train_tokenizer(texts[:200], 1000, design="bytelevel-gpt2")) is None
    assert FastBPE.from_tokenizer(train_tokenizer(texts[:200], 1000, design="fallback-cjk4")) is None
    tok = train_tokenizer(texts[:200], 1000)
    # loaded without our load_tokenizer, "<|eos|>" in text would be matched as the special token
    plain = Tokenizer.from_str(tok.to_str())
    assert FastBPE.from_tokenizer(plain) is None and FastBPE.from_tokenizer(tok) is not None
    # the fallback path still encodes it
    f, l = encode_documents(plain, ["你好"], 2)
    assert l.tolist() == [len(plain.encode("你好", add_special_tokens=False).ids) + 1] and f[-1] == 2


def test_real_web_text_at_full_vocabulary(shared_data):
    """Vocabulary 16k on shared/ Chinese text: identical ids on held-out documents."""
    import json

    docs = []
    for f in sorted((shared_data / "text" / "high_quality").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            t = json.loads(line).get("text")
            if t:
                docs.append(t)
    tok = train_tokenizer(docs[: len(docs) // 2], 16000)
    _same(tok, docs[len(docs) // 2 :][:800])
    assert np.mean([len(d) for d in docs]) > 100
