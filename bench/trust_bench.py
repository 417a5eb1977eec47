"""Figures for the trust chain: verifying a published list with its trust picture, and deciding.

    .venv/bin/python bench/trust_bench.py

Publishes the SANDBOX sample list (all ten AMS) with the SG-MY agreement into a temporary store,
then times: loading and checking the list (publisher signature, freshness, every agreement's
signatures), one gateway decision, and reading the two trust lists it points to.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from eauth_toolkit.recognition.lists import view_from_file
from eauth_toolkit.repository.keys import AuthorityRegistry, load_key
from eauth_toolkit.repository.publication import publish
from eauth_toolkit.repository.samples import load_samples, publisher_key_path
from eauth_toolkit.repository.store import RepositoryStore
from eauth_toolkit.repository.trust import trust_picture
from eauth_toolkit.resources import repository_list_dir


def _ms(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    repo = repository_list_dir()
    with tempfile.TemporaryDirectory() as tmp:
        store = RepositoryStore.open(
            f"sqlite:///{Path(tmp) / 'r.sqlite'}", AuthorityRegistry.load(repo / "authorities.json")
        )
        load_samples(store, repo)
        out = Path(tmp) / "list.json"
        t = time.perf_counter()
        result = publish(
            store, load_key(publisher_key_path(repo)), out, trust=trust_picture(store, repo)
        )
        print(
            f"publish with trust picture: {(time.perf_counter() - t) * 1000:.0f} ms, "
            f"{result.entry_count} entries, {result.size} bytes"
        )
        view = view_from_file(out)
        print(f"load + check list (median of 20): {_ms(lambda: view_from_file(out), 20):.1f} ms")
        decide = lambda: view.authentication(  # noqa: E731
            technology="sg-singpass", from_ams="SG", relying_ams="MY", acr="x"
        )
        print(f"one gateway decision (median of 2000): {_ms(decide, 2000) * 1000:.1f} us")
        print(
            f"read + check 2 trust lists (median of 10): {_ms(lambda: view.trust_lists(repo), 10):.1f} ms"
        )
        store.close()


if __name__ == "__main__":
    main()
