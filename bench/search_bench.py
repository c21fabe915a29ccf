"""Search benchmark: seed N synthetic records, then measure indexing, propagation and search latency.

Usage (a dedicated database, never the tests'):

    createdb -E UTF8 -T template0 --locale=C.UTF-8 rdm_bench
    DATABASE_URL=postgres://rdm:rdm@127.0.0.1:5432/rdm_bench .venv/bin/python bench/search_bench.py

Prints one JSON object: rebuild throughput (the real ``indexer.rebuild`` path), queue drain throughput
after 10 000 updates, the propagation time of a resource-type rename touching 10 000 records (enqueue +
drain), and search latency p50/p95/p99 through the API view for several query shapes, each beside the
SQL the backend generated for it, replayed with a cursor (the floor). Every shape is measured twice:
"cached" (the database backend's request cache answers the total and facet counts, as it does for
repeated searches until the next write to the index) and "uncached" (every search counts every match).
Rebuild and drain also report the CPU they cost per record (Python processes and, on a local
PostgreSQL, the server's processes) and the throughput that CPU time caps them at on this machine's cores
(``ceiling_records_per_s``), and ``python_loop_ms`` times a fixed Python loop: together they tell a slower
machine from a slower indexer when figures from different days are compared.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import random
import statistics
import string
import sys
import time
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdm.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("DEBUG", "0")

SQLITE_LIMIT = 20_000
SEED_CHUNK = 5_000
UPDATES = 10_000
RENAMED_TYPE = "image-photo"  # seeded on exactly min(10 000, N/10) records and nowhere else

WORDS = (
    "climate ocean temperature salinity carbon forest soil river glacier sediment genome protein cell "
    "neuron brain cortex model simulation dataset survey census election economy market inflation "
    "language corpus speech translation galaxy star planet telescope spectrum particle detector "
    "collision energy solar wind battery catalyst polymer crystal magnetic quantum network graph "
    "algorithm software benchmark learning neural vision image segmentation health cohort trial "
    "vaccine infection diabetes cancer imaging microscopy archive manuscript history medieval music "
    "education student school urban mobility traffic transport water drought flood rainfall satellite "
    "remote sensing biodiversity species pollinator bird fish coral reef arctic antarctic permafrost "
    "methane emission policy governance law court migration population ageing nutrition agriculture "
    "crop yield wheat rice maize irrigation"
).split()
PHRASES = ("sea surface temperature", "climate change", "machine learning", "gene expression",
           "air quality", "open data")
FAMILY = ("Smith Müller García Rossi Nowak Kowalski Dubois Jensen Silva Tanaka Wang Li Kim Novak Horvat "
          "Andersen Schmidt Moreau Fischer Weber Costa Ivanova Petrov Hansen Virtanen Lindqvist").split()
GIVEN = "Marie Anna Jean Piotr Lena Sofia Lucas Mia Noah Emma Ivan Elena Tomas Sara Yuki Wei Min".split()
AFFILIATIONS = ("CERN", "University of Oslo", "ETH Zürich", "Max Planck Institute for Meteorology",
                "University of Bologna", "Sorbonne University", "University of Tokyo", "KU Leuven",
                "Jagiellonian University", "University of Lisbon", "Helmholtz Centre", "Inria")
TYPES = ("dataset", "publication-article", "software", "publication-preprint", "image-figure",
         "presentation", "poster", "publication-thesis", "video", "model", "publication-report",
         "image-plot", "publication-conferencepaper", "other")
LANGUAGES = ("eng", "eng", "eng", "eng", "deu", "fra", "spa", "ita", "por", "nld", "pol")
LICENSES = ("cc-by-4.0", "cc-by-4.0", "cc0-1.0", "cc-by-sa-4.0", "mit", "apache-2.0", "cc-by-nc-4.0")
PUBLISHERS = ("Zenodo", "Zenodo", "Zenodo", "PANGAEA", "Dryad", "Figshare")


def setup_django():
    import django

    create_postgresql_database(os.environ.get("DATABASE_URL", ""))
    django.setup()


def create_postgresql_database(url: str) -> None:
    """Create the bench database (UTF-8, C.UTF-8 locale) if DATABASE_URL names a missing one."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    try:
        psycopg.connect(url).close()
        return
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0 '
                      f"LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")
    print(f"created database {name}", file=sys.stderr)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="records to seed (default 100000)")
    parser.add_argument("--repeat", type=int, default=40, help="timed runs per query shape (default 40)")
    parser.add_argument("--force", action="store_true", help="allow more than 20000 records on SQLite")
    parser.add_argument("--reuse", action="store_true",
                        help="keep already seeded records if their number matches --records")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["rebuild", "drain", "rename", "search"], help="skip a measurement")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes for rebuild and drain (as `rdm_index rebuild|drain --workers`)")
    return parser.parse_args()


# Seeding.


def _pid(rng: random.Random, used: set[str]) -> str:
    alphabet = string.ascii_lowercase[:22] + "0123456789"  # stand-in for the project's base32 pids
    while True:
        pid = "".join(rng.choices(alphabet, k=5)) + "-" + "".join(rng.choices(alphabet, k=5))
        if pid not in used:
            used.add(pid)
            return pid


SYLLABLES = "ka lo mi ne ru ta vi so pe du ar el in os um".split()
# A long tail of rarer made-up terms (species, places, acronyms...) after the common words.
VOCABULARY = WORDS + ["".join(parts) for parts in itertools.product(SYLLABLES, repeat=3)][:3000]
WORD_WEIGHTS = list(itertools.accumulate(1 / (rank + 50) for rank in range(len(VOCABULARY))))


def _words(rng: random.Random, count: int) -> list[str]:
    # Zipf-like (weight 1/(rank+50)): common words reach a fifth of the records, tail words a few.
    return rng.choices(VOCABULARY, cum_weights=WORD_WEIGHTS, k=count)


def _metadata(rng: random.Random, resource_type: str, year: int) -> dict:
    title_words = _words(rng, rng.randint(4, 10))
    if rng.random() < 0.15:
        title_words.insert(rng.randrange(len(title_words)), rng.choice(PHRASES))
    title = " ".join(title_words).capitalize()
    creators = []
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4, 6))):
        family, given = rng.choice(FAMILY), rng.choice(GIVEN)
        creators.append({
            "person_or_org": {"type": "personal", "family_name": family, "given_name": given,
                              "name": f"{family}, {given}"},
            "affiliations": [{"name": rng.choice(AFFILIATIONS)}],
        })
    description = "<p>" + " ".join(_words(rng, rng.randint(30, 90))).capitalize() + ".</p>"
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    metadata = {
        "resource_type": {"id": resource_type},
        "title": title,
        "publication_date": f"{year}-{month:02d}-{day:02d}",
        "creators": creators,
        "description": description,
        "subjects": [{"subject": word} for word in dict.fromkeys(_words(rng, rng.randint(0, 4)))],
        "languages": [{"id": rng.choice(LANGUAGES)}],
        "rights": [{"id": rng.choice(LICENSES)}],
        "publisher": rng.choice(PUBLISHERS),
    }
    if rng.random() < 0.3:
        metadata["additional_titles"] = [{"title": " ".join(_words(rng, 5)),
                                          "type": {"id": "alternative-title"}}]
    return metadata


def wipe(using_bench_db: bool) -> None:
    from django.db import connection

    from rdm.records.models import Draft, FileBlob, Record, RecordParent
    from rdm.search.models import IndexQueueItem, SearchDocument, SearchTerm

    if not using_bench_db and Record.objects.exists():
        sys.exit("The database already holds records: point DATABASE_URL at a dedicated bench database "
                 "(its name must contain 'bench').")
    if connection.vendor == "postgresql":
        tables = [m._meta.db_table for m in (SearchTerm, SearchDocument, IndexQueueItem)]
        tables += [Record._meta.db_table, Draft._meta.db_table, RecordParent._meta.db_table,
                   FileBlob._meta.db_table, "records_recordfile", "records_draftfile"]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        return
    for model in (SearchTerm, SearchDocument, IndexQueueItem):
        model.objects.all()._raw_delete(model.objects.db)
    Draft.objects.all().delete()
    Record.objects.all().delete()
    RecordParent.objects.all().delete()
    FileBlob.objects.all().delete()


def seed(count: int, rng: random.Random) -> dict:
    """Bulk-create ``count`` published records (some with an older version) with one file each."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from rdm.records.models import RESTRICTED, FileBlob, Record, RecordFile, RecordParent

    User = get_user_model()
    users = [User.objects.get_or_create(email=f"bench{i}@example.org")[0] for i in range(200)]
    staff, _ = User.objects.get_or_create(email="bench-staff@example.org",
                                          defaults={"is_staff": True})
    renamed_every = max(count // min(UPDATES, max(count // 10, 1)), 1)
    used: set[str] = set()
    now = timezone.now()
    started = time.monotonic()
    made = 0
    while made < count:
        size = min(SEED_CHUNK, count - made)
        with transaction.atomic():
            parents, records, blobs = [], [], []
            for offset in range(size):
                number = made + offset
                created = now - datetime.timedelta(minutes=count - number)
                parents.append(RecordParent(pid=_pid(rng, used), owner=rng.choice(users), created=created))
            RecordParent.objects.bulk_create(parents)
            for offset, parent in enumerate(parents):
                number = made + offset
                created = parent.created
                rtype = RENAMED_TYPE if number % renamed_every == 0 and number // renamed_every < UPDATES \
                    else rng.choice(TYPES)
                metadata = _metadata(rng, rtype, rng.randint(1995, 2025))
                restricted = rng.random() < 0.1
                files_restricted = not restricted and rng.random() < 0.1
                versions = 2 if rng.random() < 0.05 else 1
                for version in range(1, versions + 1):
                    records.append(Record(
                        parent=parent, pid=parent.pid if version == versions else _pid(rng, used),
                        version_index=version, metadata=metadata,
                        access_record=RESTRICTED if restricted else "public",
                        access_files=RESTRICTED if files_restricted else "public",
                        is_latest=version == versions, created=created, updated=created,
                    ))
                    blobs.append(FileBlob(
                        file=f"files/bench/{parent.pid}-{version}", size=rng.randint(10, 10**9),
                        checksum=f"md5:{rng.getrandbits(128):032x}", mimetype="text/csv", created=created,
                    ))
            Record.objects.bulk_create(records)
            FileBlob.objects.bulk_create(blobs)
            RecordFile.objects.bulk_create([
                RecordFile(record=record, key="data.csv", blob=blob, status="completed",
                           created=record.created, updated=record.created)
                for record, blob in zip(records, blobs, strict=True)
            ])
        made += size
        print(f"seeded {made}/{count} parents", file=sys.stderr)
    return {"parents": count, "records": Record.objects.count(), "staff_id": staff.pk,
            "seconds": round(time.monotonic() - started, 1)}


# Measurements.


def measure_rebuild(workers: int = 1) -> dict:
    from rdm.search import indexer
    from rdm.search.backends import get_search_backend
    from rdm.search.index import get_index

    index = get_index("records")
    get_search_backend().clear(index)
    _vacuum_search_tables()  # start from compact storage, as on a fresh installation
    with CpuMeter() as cpu:
        started = time.monotonic()
        written = indexer.rebuild(index, chunk_size=indexer.DEFAULT_BATCH_SIZE, workers=workers)
        seconds = time.monotonic() - started
    figures = {"documents": written, "workers": workers, "seconds": round(seconds, 2),
               "records_per_s": round(written / seconds), "cpu_ms_per_record": cpu.per(written)}
    # Again, in place over the documents just written (what `rdm_index rebuild` does on a live site
    # after a deploy that changed nothing): every document is built and compared, identical rows stay.
    with CpuMeter() as cpu:
        started = time.monotonic()
        indexer.rebuild(index, chunk_size=indexer.DEFAULT_BATCH_SIZE, workers=workers)
        seconds = time.monotonic() - started
    figures["in_place_unchanged"] = {"seconds": round(seconds, 2), "records_per_s": round(written / seconds),
                                     "cpu_ms_per_record": cpu.per(written)}
    return figures


class CpuMeter:
    """CPU time spent inside the block by this process and its (joined) worker processes, and by the
    local PostgreSQL server when its processes are visible in /proc (live ones plus the backends its
    postmaster has reaped). Throughput is bounded by it: on C cores, at most C / cpu records per ms."""

    def __enter__(self):
        from django.db import connection

        on_postgresql = connection.vendor == "postgresql"
        self.python = python_cpu_seconds()
        self.postgresql = postgresql_cpu_seconds() if on_postgresql else None
        return self

    def __exit__(self, *exc):
        self.python = python_cpu_seconds() - self.python
        after = postgresql_cpu_seconds() if self.postgresql is not None else None
        self.postgresql = None if after is None else after - self.postgresql

    def per(self, records: int) -> dict:
        figures = {"python": round(self.python * 1000 / max(records, 1), 3)}
        if self.postgresql is not None:
            figures["postgresql"] = round(self.postgresql * 1000 / max(records, 1), 3)
            figures["total"] = round(figures["python"] + figures["postgresql"], 3)
            # The most records per second this CPU time allows on this machine's cores, however well the
            # work were spread over them.
            figures["ceiling_records_per_s"] = round(os.cpu_count() * 1000 / max(figures["total"], 0.001))
        return figures


def python_cpu_seconds() -> float:
    import resource

    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def postgresql_cpu_seconds() -> float | None:
    """CPU seconds used so far by local processes named ``postgres``, with their reaped children."""
    total, found = 0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.index("(") + 1:text.rindex(")")] != "postgres":
            continue
        found = True
        utime, stime, cutime, cstime = text[text.rindex(")") + 2:].split()[11:15]
        total += int(utime) + int(stime) + int(cutime) + int(cstime)
    return total / os.sysconf("SC_CLK_TCK") if found else None


def python_speed_ms() -> float:
    """A fixed pure-Python loop, best of five, in ms: how fast this machine runs Python right now, to
    set figures measured on different days (or machines) side by side."""
    def loop():
        started, total = time.perf_counter(), 0
        for number in range(1_000_000):
            total += number
        return time.perf_counter() - started

    return round(min(loop() for _ in range(5)) * 1000, 1)


def measure_drain(rng: random.Random, workers: int = 1) -> dict:
    """Update 10 000 records (a new revision each) and queue them, then drain the queue."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from rdm.records.models import Record
    from rdm.search import indexer
    from rdm.search.tasks import drain_index_queue

    pids = list(Record.objects.order_by("?").values_list("pid", flat=True)[:UPDATES])
    started = time.monotonic()
    with mock.patch("rdm.search.indexer.start_drain"), transaction.atomic():
        Record.objects.filter(pid__in=pids).update(revision_id=F("revision_id") + 1, updated=timezone.now())
        indexer.enqueue("records", pids)
    queued = time.monotonic()
    with CpuMeter() as cpu:
        if workers > 1:  # the path of `rdm_index drain --workers N` (or N Celery worker processes)
            processed = indexer.drain_queue(batch_size=indexer.DEFAULT_BATCH_SIZE, workers=workers).processed
        else:
            processed = drain_index_queue(batch_size=indexer.DEFAULT_BATCH_SIZE)
        drained = time.monotonic()
    return {
        "updates": len(pids), "workers": workers, "processed": processed,
        "enqueue_seconds": round(queued - started, 2),
        "drain_seconds": round(drained - queued, 2),
        "records_per_s": round(processed / (drained - queued)),
        "cpu_ms_per_record": cpu.per(processed),
        "left_in_queue": indexer.IndexQueueItem.objects.count(),
    }


def measure_rename(staff_id: int) -> dict:
    """Rename the resource type seeded on 10 000 records; time enqueue and drain separately."""
    from django.contrib.auth import get_user_model

    from rdm.search import search
    from rdm.search.tasks import drain_index_queue
    from vocabularies import services as vocabularies

    staff = get_user_model().objects.get(pk=staff_id)
    title = f"Photo renamed {int(time.time())}"
    started = time.monotonic()
    with mock.patch("rdm.search.indexer.start_drain"):
        vocabularies.rename_entry(staff, "resourcetypes", RENAMED_TYPE, {"en": title})
    queued = time.monotonic()
    processed = drain_index_queue()
    drained = time.monotonic()
    found = search("records", f'type:"{title}"', filters={}, facets=False, size=1,
                   principals=["public", "staff"]).total
    return {
        "records_touched": processed, "enqueue_seconds": round(queued - started, 2),
        "drain_seconds": round(drained - queued, 2), "total_seconds": round(drained - started, 2),
        "found_with_new_title": found,
    }


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
QUERY_SHAPES = {
    "free_text": {"q": "climate data"},
    "one_word": {"q": "permafrost"},
    "phrase": {"q": '"sea surface temperature"'},
    "fielded": {"q": "creator:smith AND title:forest"},
    "prefix": {"q": "glac*"},
    "range": {"q": "publication_date:[2015 TO 2018]"},
    "facet_filter_sort": {"resource_type": "dataset", "language": "eng", "sort": "newest"},
    "match_all": {},
}


def api_caller():
    """Call GET /api/records through Django's test client (middleware, DRF and rendering included)."""
    from django.test import Client

    client = Client()

    def call(params):
        return client.get("/api/records", params)

    return "GET /api/records (django.test.Client)", call


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pick(fraction):
        return round(ordered[min(int(fraction * len(ordered)), len(ordered) - 1)] * 1000, 1)

    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": pick(0.95), "p99_ms": pick(0.99)}


def measure_search(repeat: int) -> dict:
    """Each shape twice: with the request cache (totals and facet counts reused, as repeated searches get
    them in production until the next write) and without it (every search counts every match)."""
    from django.conf import settings
    from django.test.utils import override_settings

    how, call = api_caller()
    shapes = {}
    for name, params in QUERY_SHAPES.items():
        figures = {"params": urlencode(params)}
        for mode, seconds in (("cached", settings.RDM_SEARCH_CACHE_SECONDS or 300), ("uncached", 0)):
            with override_settings(RDM_SEARCH_CACHE_SECONDS=seconds):
                measured = measure_shape(call, params, repeat)
            if "error" in measured:
                figures = measured
                break
            figures["total"] = measured.pop("total")
            figures[mode] = measured
        shapes[name] = figures
    return {"through": how, "user": "anonymous", "shapes": shapes}


def measure_shape(call, params: dict, repeat: int) -> dict:
    """API latency for ``params`` beside the same statements replayed with a cursor (the SQL floor)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    response = call(params)
    if response.status_code != 200:
        return {"error": response.status_code, "body": response.content[:300].decode()}
    total = json.loads(response.content)["hits"]["total"]
    for _ in range(2):
        call(params)
    with CaptureQueriesContext(connection) as captured:
        call(params)
    statements = [query["sql"] for query in captured.captured_queries
                  if not query["sql"].upper().startswith(TRANSACTION_CONTROL)]
    api_times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call(params)
        api_times.append(time.perf_counter() - started)
    sql_times = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            with transaction.atomic():
                for statement in statements:
                    cursor.execute(statement)
                    if cursor.description is not None:
                        cursor.fetchall()
            sql_times.append(time.perf_counter() - started)
    api, sql = percentiles(api_times), percentiles(sql_times)
    return {
        "total": total, "statements": len(statements), "api": api, "raw_sql": sql,
        "api_over_sql_p50": round(api["p50_ms"] / max(sql["p50_ms"], 0.1), 2),
    }


def main():
    args = parse_args()
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite" and args.records > SQLITE_LIMIT and not args.force:
        sys.exit(f"SQLite with {args.records} records would take ages: use PostgreSQL (DATABASE_URL), "
                 f"--records {SQLITE_LIMIT} or less, or --force.")
    call_command("migrate", verbosity=0, interactive=False)
    from rdm.records.models import RecordParent

    rng = random.Random(20261125)
    database = settings.DATABASES["default"]
    name = str(database["NAME"])
    seeded = {"reused": True, "parents": RecordParent.objects.count()}
    if not (args.reuse and seeded["parents"] == args.records):
        wipe(using_bench_db="bench" in Path(name).name)
        seeded = seed(args.records, rng)
    staff_id = seeded.get("staff_id") or _staff_id()
    _analyze(connection)
    result = {
        "command": " ".join(sys.argv), "database": f"{connection.vendor}:{Path(name).name}",
        "records_option": args.records, "seeded": seeded, "load_before": os.getloadavg(),
        "cpus": os.cpu_count(), "python_loop_ms": python_speed_ms(),
    }
    if "rebuild" not in args.skip:
        _report(result, "rebuild", measure_rebuild(args.workers))
        _analyze(connection)
    if "drain" not in args.skip:
        _report(result, "drain_after_updates", measure_drain(rng, args.workers))
    if "rename" not in args.skip:
        _report(result, "rename_propagation", measure_rename(staff_id))
    if "search" not in args.skip:
        _analyze(connection)
        _report(result, "search", measure_search(args.repeat))
    result["load_after"] = os.getloadavg()
    print(json.dumps(result, indent=2))


def _report(result: dict, name: str, figures: dict) -> None:
    """Keep ``figures`` for the final JSON and show them at once (stderr), in case a later step fails."""
    result[name] = figures
    print(f"{name}: {json.dumps(figures)}", file=sys.stderr)


def _staff_id() -> int:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(email="bench-staff@example.org").pk


def _vacuum_search_tables() -> None:
    from django.db import connection

    from rdm.search.models import SearchDocument, SearchTerm

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM FULL {SearchDocument._meta.db_table}, {SearchTerm._meta.db_table}")


def _analyze(connection) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


if __name__ == "__main__":
    main()
