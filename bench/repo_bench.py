"""Repository benchmark: ingest, publish and sign, verify, filtered queries.

1. ingest N entries (default 10,000) through the real path: signed submissions of 500 entries
   each, every one checked (signature, schema, sourcing rules), assessed and stored with its audit
   record;
2. publish and sign the N-entry list (atomic write), and verify it offline; then publish it
   P times in all (default 12) and print what the store holds for them: each list is kept by
   reference, its entry texts stored once (content addressed), against P full copies;
3. grow the store to M entries (default 100,000; the extra rows are inserted directly) and time
   filtered queries of 100 entries (p50 and p99).

Targets on SQLite: publish < 2 s, verify < 1 s, query p99 < 20 ms.

    python bench/repo_bench.py [--entries 10000] [--query-entries 100000] [--publications 12]
                               [--database-url URL]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import gc
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey
from sqlalchemy import insert, select

from eauth_toolkit.repository import tables as t
from eauth_toolkit.repository.assessment import assess_entry
from eauth_toolkit.repository.keys import AuthorityRegistry
from eauth_toolkit.repository.models import AMS_CODES, TECHNOLOGY_TYPES
from eauth_toolkit.repository.publication import publish, verify_list
from eauth_toolkit.repository.signing import sign_submission
from eauth_toolkit.repository.store import EntryFilter, RepositoryStore
from eauth_toolkit.repository.submission import SubmissionPolicy

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "tests" / "repository" / "data" / "entry_template.json"
BATCH = 500

PROOFING = ["unknown", "self_asserted", "remote_unattended", "remote_supervised", "in_person"]
PROTECTION = ["unknown", "software", "hardware", "certified_hardware"]


def make_entries(ams: str, count: int, start: int, rng: random.Random) -> list[dict[str, Any]]:
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    out = []
    for i in range(start, start + count):
        e = copy.deepcopy(template)
        e["id"] = f"{ams.lower()}-bench-{i:06d}"
        e["ams"] = ams
        e["name"] = f"{ams} bench technology {i}"
        e["technology_type"] = rng.choice(TECHNOLOGY_TYPES)
        e["profile"]["enrolment"]["identity_proofing"] = rng.choice(PROOFING)
        e["profile"]["credential_management"]["key_protection"] = rng.choice(PROTECTION)
        out.append(e)
    return out


def timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def publication_storage(store: RepositoryStore) -> int:
    """Bytes the store uses for published lists: the rows and the entry texts they refer to."""
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "postgresql":
            return int(
                conn.exec_driver_sql(
                    "SELECT pg_total_relation_size('repo_publication') + "
                    "pg_total_relation_size('repo_list_blob')"
                ).scalar_one()
            )
        # SQLite: the pages of both tables and their indexes (the dbstat virtual table)
        return int(
            conn.exec_driver_sql(
                "SELECT SUM(pgsize) FROM dbstat WHERE name IN "
                "('repo_publication', 'repo_list_blob') OR name LIKE 'sqlite_autoindex_repo_list_blob%' "
                "OR name LIKE 'sqlite_autoindex_repo_publication%'"
            ).scalar_one()
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--query-entries", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--publications", type=int, default=12)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--keep", action="store_true", help="Keep the work folder (SQLite file, list)."
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="eauth-repo-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    keys = {ams: ECKey.generate_key("P-256", private=True) for ams in AMS_CODES}
    registry = AuthorityRegistry.from_dict(
        {
            "authorities": {
                ams: {"name": f"Bench authority of {ams}", "jwk": k.as_dict(private=False)}
                for ams, k in keys.items()
            }
        }
    )
    store = RepositoryStore.open(url, registry, policy=SubmissionPolicy(max_bytes=16 * 1024 * 1024))
    rng = random.Random(29115)
    print(f"store: {store.engine.url.render_as_string(hide_password=True)}")

    # 1. ingest through signed submissions
    per_ams = args.entries // len(AMS_CODES)
    batches = []
    for ams in AMS_CODES:
        for start in range(0, per_ams, BATCH):
            n = min(BATCH, per_ams - start)
            doc = {
                "ams": ams,
                "authority": f"Bench authority of {ams}",
                "entries": make_entries(ams, n, start, rng),
            }
            batches.append((ams, doc))
    sign_time = 0.0
    ingest_time = 0.0
    for ams, doc in batches:
        start = time.perf_counter()
        jws = sign_submission(doc, keys[ams], sequence=store.next_sequence(ams))
        sign_time += time.perf_counter() - start
        start = time.perf_counter()
        store.submit(jws, channel="bench")
        ingest_time += time.perf_counter() - start
    total = store.count_entries()
    print(
        f"ingest: {total} entries in {len(batches)} signed submissions of <= {BATCH}: "
        f"{ingest_time:.2f} s ({total / ingest_time:,.0f} entries/s; signing took {sign_time:.2f} s more)"
    )

    # 2. publish and verify the list
    publisher = ECKey.generate_key("P-256", private=True)
    out = workdir / "list.json"
    p_time, result = timed(lambda: publish(store, publisher, out))
    print(
        f"publish: {result.entry_count} entries, {result.size / 1e6:.1f} MB signed list in "
        f"{p_time:.2f} s (target < 2 s)"
    )
    runs = []
    for _ in range(3):
        v_time, verified = timed(lambda: verify_list(out.read_bytes(), publisher))
        assert verified.sequence_number == result.sequence_number
        runs.append(v_time)
    count = len(verified.entries)
    del verified
    print(
        f"verify: {count} entries, median of 3 runs {statistics.median(runs):.2f} s, best "
        f"{min(runs):.2f} s (target < 1 s)"
    )

    # 2b. storage of P publications
    sizes = [result.size]
    for _ in range(args.publications - 1):
        sizes.append(publish(store, publisher, out).size)
    stored = publication_storage(store)
    full = sum(sizes)
    print(
        f"storage: {len(sizes)} publications of the {result.entry_count}-entry list "
        f"({full / 1e6:.1f} MB as files) take {stored / 1e6:.2f} MB in the store "
        f"(publication rows and entry texts, content addressed)"
    )

    # 3. queries at query-entries
    extra = args.query_entries - total
    if extra > 0:
        seed_start = time.perf_counter()
        template_rows = make_entries("SG", 64, 0, rng)
        assessed = [assess_entry(e) for e in template_rows]
        now = dt.datetime.now(dt.UTC)
        with store.engine.begin() as conn:
            sub_id = conn.scalar(select(t.submission.c.id).limit(1))
            rows = []
            for i in range(extra):
                ams = AMS_CODES[i % len(AMS_CODES)]
                k = i % len(template_rows)
                doc = dict(template_rows[k], id=f"{ams.lower()}-seed-{i:07d}", ams=ams)
                a = assessed[k]
                rows.append(
                    {
                        "id": doc["id"],
                        "ams": ams,
                        "name": f"{ams} seeded technology {i}",
                        "technology_type": doc["technology_type"],
                        "status": rng.choice(
                            ["active", "active", "active", "suspended", "withdrawn"]
                        ),
                        "assessed_level": a.level,
                        "claimed_level": 3,
                        "level_mismatch": a.level != 3,
                        "document": doc,
                        "assessment": {"summary": a.summary, "details": a.details},
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                        "submission_id": sub_id,
                    }
                )
                if len(rows) == 5_000:
                    conn.execute(insert(t.entry), rows)
                    rows = []
            if rows:
                conn.execute(insert(t.entry), rows)
        store.optimize()
        print(
            f"seeded {extra} more entries directly in {time.perf_counter() - seed_start:.1f} s "
            f"(store now {store.count_entries()} entries)"
        )
    filters = []
    for _ in range(args.queries):
        kind = rng.randrange(5)
        ams = rng.choice(AMS_CODES)
        if kind == 0:
            filters.append(EntryFilter(ams=ams, limit=100))
        elif kind == 1:
            filters.append(EntryFilter(ams=ams, min_loa=rng.randint(1, 4), limit=100))
        elif kind == 2:
            filters.append(EntryFilter(technology_type=rng.choice(TECHNOLOGY_TYPES), limit=100))
        elif kind == 3:
            filters.append(EntryFilter(min_loa=rng.randint(1, 4), status="active", limit=100))
        else:
            filters.append(
                EntryFilter(ams=ams, technology_type=rng.choice(TECHNOLOGY_TYPES), limit=100)
            )
    gc.collect()
    gc.freeze()  # the bench's own objects are not the store's latency
    for flt in filters[:50]:  # warm the page cache
        store.entries(flt)
    times = []
    by_kind: dict[str, list[float]] = {}
    returned = 0
    for flt in filters:
        start = time.perf_counter()
        returned += len(store.entries(flt))
        ms = (time.perf_counter() - start) * 1000
        times.append(ms)
        kind = "+".join(
            k
            for k in ("ams", "min_loa", "technology_type", "status")
            if getattr(flt, k) is not None
        )
        by_kind.setdefault(kind, []).append(ms)
    times.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    print(
        f"query: {len(times)} filtered queries (limit 100) at {store.count_entries()} entries: "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {times[-1]:.2f} ms (target p99 < 20 ms); "
        f"{returned / len(times):.0f} rows per query on average"
    )
    for kind, values in sorted(by_kind.items()):
        values.sort()
        print(f"  {kind:28s} p50 {statistics.median(values):6.2f} ms  max {values[-1]:6.2f} ms")
    store.close()
    if args.keep:
        print(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
