"""``manage.py rdm_index status|drain|rebuild|check|recount [--index NAME ...]``: operate the search indexes.

``rebuild --force`` first removes a rebuild a killed process left behind (Elasticsearch: its half-loaded
index and the rebuilding alias), but only once its heartbeat is stale; a running one is never touched.
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from rdm.search import indexer
from rdm.search.backends import get_search_backend
from rdm.search.backends.base import RebuildInProgress
from rdm.search.index import all_indexes, get_index


class Command(BaseCommand):
    help = (
        "Operate the search indexes: status (queue and document counts), drain (index everything queued), "
        "rebuild (re-index from the database, in chunks, while the site serves), check (compare stored "
        "documents with the database, and maintained facet counts with the stored documents), recount "
        "(derive the maintained facet counts from the stored documents again)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "drain", "rebuild", "check", "recount"])
        parser.add_argument("--index", action="append", dest="indexes", metavar="NAME",
                            help="Limit rebuild/check/recount to this index (repeatable). "
                                 "Default: every index.")
        parser.add_argument("--batch-size", type=int, default=indexer.DEFAULT_BATCH_SIZE)
        parser.add_argument("--workers", type=int, default=1,
                            help="Processes for rebuild/drain, each with its own database connection.")
        parser.add_argument("--force", action="store_true",
                            help="rebuild: first remove a rebuild left by a process that died (its heartbeat "
                                 "is stale); refused while that rebuild is still running.")

    def handle(self, *args, action, indexes, batch_size, workers, force, **options):
        self.verbosity = options["verbosity"]
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        if force and action != "rebuild":
            raise CommandError("--force only applies to rebuild.")
        self.workers, self.force = workers, force
        try:
            selected = [get_index(name) for name in indexes] if indexes else all_indexes()
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        getattr(self, f"do_{action}")(selected, batch_size)

    def do_status(self, selected, batch_size):
        status = indexer.queue_status()
        for index in selected:
            row = status[index.name]
            oldest = row["oldest"].isoformat() if row["oldest"] else "-"
            counts = f"{row['documents']} documents, {row['queued']} queued"
            self.stdout.write(f"{index.name}: {counts}, oldest {oldest}")
            layout = get_search_backend().rebuild_status(index)
            if layout is not None:
                self.write_layout(index, layout)

    def write_layout(self, index, layout):
        serving = ", ".join(layout.live) or "none yet"
        legacy = " (a concrete index, not an alias)" if layout.legacy else ""
        self.stdout.write(f"  serving: {serving}{legacy}")
        for state in layout.rebuilds:
            stale = state.heartbeat_age() >= layout.stale_after
            note = f"; STALE, `rdm_index rebuild --index {index.name} --force` removes it" if stale else ""
            self.stdout.write(f"  rebuilding: {state.describe()}{note}")

    def do_drain(self, selected, batch_size):
        report = indexer.drain_queue(batch_size=batch_size, workers=self.workers)
        self.stdout.write(f"Indexed {report.indexed}, removed {report.deleted}, failed {len(report.failed)}.")
        for message in report.failed.values():
            self.stderr.write(f"  failed: {message}")
        if report.failed:
            raise CommandError(f"{len(report.failed)} queued items could not be indexed; they stay queued.")

    def do_rebuild(self, selected, batch_size):
        for index in selected:
            try:
                if self.force:
                    for state in get_search_backend().discard_stale_rebuild(index):
                        self.stdout.write(f"{index.name}: removed the stale rebuild {state.describe()}.")
                with self.progress(index, "rebuild") as bar:
                    written = indexer.rebuild(index, chunk_size=batch_size, progress=bar.update,
                                              workers=self.workers)
            except RebuildInProgress as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{index.name}: {written} documents written.")

    def do_check(self, selected, batch_size):
        problems, miscounted = 0, []
        for index in selected:
            with self.progress(index, "check") as bar:
                report = indexer.check(index, chunk_size=batch_size, progress=bar.update)
            findings = (("missing", report.missing), ("stale", report.stale), ("orphaned", report.orphaned))
            for label, ids in findings:
                if ids:
                    problems += len(ids)
                    self.stdout.write(f"{index.name}: {len(ids)} {label}: {', '.join(ids[:20])}")
            if report.miscounted:
                scopes = ", ".join(report.miscounted[:20])
                self.stdout.write(f"{index.name}: {len(report.miscounted)} count scopes differ from the "
                                  f"stored documents: {scopes}")
                miscounted.append(index.name)
            if report.ok:
                self.stdout.write(f"{index.name}: OK")
        if problems:
            raise CommandError(f"{problems} documents differ from the database (run `rdm_index rebuild`).")
        if miscounted:
            names = " ".join(f"--index {name}" for name in miscounted)
            raise CommandError(f"Maintained counts differ from the stored documents "
                               f"(run `rdm_index recount {names}`).")

    def do_recount(self, selected, batch_size):
        backend = get_search_backend()
        for index in selected:
            backend.recount(index)
            self.stdout.write(f"{index.name}: recounted.")

    def progress(self, index, verb):
        return tqdm(total=index.count(), desc=f"{verb} {index.name}", unit="doc", disable=self.verbosity < 1,
                    file=self.stderr._out)
