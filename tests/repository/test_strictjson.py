"""The repository's one JSON reading: what it refuses (with the pointer), and that its fast path
and its careful path agree on every document."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from eauth_toolkit.repository import strictjson
from eauth_toolkit.repository.strictjson import StrictJsonError


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (b'{"a":1,"a":2}', "/a", "appears twice"),
        (b'{"x":{"b":[1,{"c":1, "c" :2}]}}', "/x/b/1/c", "appears twice"),
        (b'{"s":9007199254740992}', "/s", "outside the range"),
        (b'{"s":-18446744073709551616}', "/s", "outside the range"),
        (b'{"s":1e400}', "/s", "too large for a double"),
        (b'{"s":"a\\u0000b"}', "/s", "U+0000"),
        (b'{"s":"a\\bb"}', "/s", "U+0008"),
        (b'{"s":["ok","\\u009f"]}', "/s/1", "U+009F"),
        (b'{"s":"\xc2\x85"}', "/s", "U+0085"),
        (b'{"s":"\\ud800"}', "/s", "U+D800"),
        (b'{"k\\u0001":1}', "/k\x01", "U+0001"),
        (b'{"a":NaN}', "/", "NaN"),
        (b'{"a":"\xff"}', "/", "not UTF-8"),
        (b"[" * 33 + b"]" * 33, "/", "nested 33 levels"),
        (b'{"a":', "/", "syntax error"),
    ],
)
def test_refusals_name_the_pointer(text: bytes, where: str, words: str) -> None:
    with pytest.raises(StrictJsonError) as info:
        strictjson.loads(text)
    assert info.value.where == where and words in info.value.message, info.value.message


def test_what_is_accepted() -> None:
    doc = {
        "tab\tand\nnewline": "\\u0000 is text here, and so is \\\\u0000",
        "emoji": "\U0001f600",
        "brackets in text": "[[[[{{{{",
        "n": [9007199254740991, -9007199254740991, 0.5, 1e300, True, None],
    }
    for text in (json.dumps(doc).encode(), json.dumps(doc, ensure_ascii=False).encode()):
        assert strictjson.loads(text) == doc
        assert strictjson._careful(text) == doc
    assert strictjson.loads(b"[" * 32 + b"]" * 32) is not None


def _random_doc(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(6 if depth < 4 else 3)
    if kind == 0:
        return rng.choice([0, 1, -7, 2**53 - 1, 2**53, 2**64, 0.25, True, None])
    if kind == 1 or kind == 2:
        return "".join(
            rng.choice(["a", "\\", '"', "\x00", "\x07", "\t", "\u0085", "é", "["])
            for _ in range(rng.randrange(4))
        )
    if kind == 3:
        return [_random_doc(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {f"k{rng.randrange(3)}": _random_doc(rng, depth + 1) for _ in range(rng.randrange(4))}


def test_the_fast_and_the_careful_reading_agree() -> None:
    rng = random.Random(7515)
    for _ in range(3000):
        text = json.dumps(_random_doc(rng), ensure_ascii=rng.random() < 0.5).encode()
        if rng.random() < 0.3 and b'{"k' in text:  # a duplicated member name
            text = text.replace(b'{"k', b'{"k0": 1, "k', 1)
        outcomes = []
        for read in (strictjson.loads, strictjson._careful):
            try:
                outcomes.append(("ok", read(text)))
            except StrictJsonError as exc:
                outcomes.append(("refused", exc.where))
        assert outcomes[0] == outcomes[1], text
