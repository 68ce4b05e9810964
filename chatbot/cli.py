"""Command line: ``python -m chatbot build-index | ask "…" | serve | backends | versions | publish VERSION |
purge-feedback | worker``."""
from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path

from chatbot.config import PROJECT_ROOT, Settings


def _settings(args) -> Settings:
    overrides = {}
    if getattr(args, "index_dir", None):
        overrides["index_dir"] = args.index_dir
    return Settings().with_overrides(overrides)


def cmd_build_index(args) -> int:
    from tqdm import tqdm

    from chatbot.index.builder import build_index
    from chatbot.programs.catalog import CatalogError
    from chatbot.index.fleet import current_version

    settings = _settings(args)
    published = current_version(settings) if args.if_missing else None   # the fleet's, with DATABASE_URL
    if published:
        print(f"index {published} already published"
              f"{'' if settings.database_url else f' in {settings.index_dir}'}")
        return 0
    # building is a batch job: use every core (the server keeps CHATBOT_THREADS)
    settings = settings.with_overrides({"threads": max(settings.threads, os.cpu_count() or 1)})
    bar = tqdm(total=0, unit="text", desc="embedding", disable=args.quiet)   # passages, then their lines

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        report = build_index(settings, publish=not args.no_publish, force=args.force, progress=progress)
    except CatalogError as exc:
        bar.close()
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    bar.close()
    state = "reused" if report.reused else (f"built in {report.seconds:.1f}s, {report.embedded} passages and "
                                            f"{report.lines_embedded} lines embedded")
    print(f"index {report.version}: {report.passages} passages, {state}"
          f"{'' if args.no_publish else ', published'} ({report.path})")
    return 0


def cmd_ask(args) -> int:
    from chatbot.finder.service import FinderService, NotReady

    service = FinderService(_settings(args))
    try:
        snapshot = service.snapshot()
    except NotReady as exc:
        print(f"not ready: {exc}", file=sys.stderr)
        return 2
    answer = snapshot.answerer.answer(args.question, args.lang, top_k=args.top_k)
    if args.json:
        print(json.dumps({**answer.to_json(), "index_version": snapshot.version}, ensure_ascii=False, indent=2))
        return 0
    print(f"[{answer.status}] {answer.text}")
    for label, refs in (("closest programs (not a match)", answer.suggestions),):
        if refs:
            print(f"{label}: " + ", ".join(r.name for r in refs))
    for choice in answer.choices:
        print(f"  - {choice['label']}")
    print()
    for number, citation in enumerate(answer.citations, start=1):
        p = citation.passage
        print(f"[{number}] {p.section_path}  (lines {p.start_line}-{p.end_line}, {p.program_id or '-'}, "
              f"score {citation.score})")
        for line in p.text.strip("\n").split("\n"):
            if line.strip():
                print(f"    {line.rstrip()}")
    return 0


def procfile_command(name: str = "web") -> list[str]:
    for line in (PROJECT_ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{name}:"):
            return shlex.split(line.split(":", 1)[1])
    raise SystemExit(f"Procfile has no {name}: line")


def cmd_serve(args) -> int:
    """Run exactly the Procfile's web process (gunicorn, 2 workers) on $PORT, its environment
    holding these settings (``--port``, ``--index-dir`` included) for the workers to read."""
    command = procfile_command()
    settings = _settings(args)
    if args.port:
        settings = settings.with_overrides({"port": args.port})
    if settings.cookie_secure == "always":
        print("The staff cookie is Secure: signing in at /admin/ needs https (or, for local plain http, "
              "CHATBOT_COOKIE_SECURE=never).", file=sys.stderr)
    os.environ.update(settings.to_env())
    os.chdir(PROJECT_ROOT)
    executable = Path(sys.executable).with_name(command[0])
    os.execv(str(executable) if executable.exists() else command[0], [command[0], *command[1:]])
    return 0


def cmd_backends(args) -> int:
    """The embedding backends registered by name (CHATBOT_EMBED_BACKEND picks one)."""
    from chatbot.index.embedding import EmbedderUnavailable, backends, load_plugins

    settings = _settings(args)
    try:
        load_plugins(settings.embed_plugins)
    except EmbedderUnavailable as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    for name in backends():
        print(f"{'*' if name == settings.embed_backend.lower() else ' '} {name}")
    return 0


def cmd_versions(args) -> int:
    from chatbot.index.store import list_versions, read_current, verify_version, IndexCorrupt

    settings = _settings(args)
    if settings.database_url:
        return _fleet_versions(settings)
    current = read_current(settings.index_dir)
    for version in list_versions(settings.index_dir):
        try:
            manifest = verify_version(settings.index_dir / version)
            state = f"{manifest['passage_count']} passages, {manifest['model']['name']}, built {manifest['built_at']}"
        except IndexCorrupt as exc:
            state = f"CORRUPT: {exc}"
        print(f"{'*' if version == current else ' '} {version}  {state}")
    return 0


def _fleet_versions(settings: Settings) -> int:
    """The fleet's registry (DATABASE_URL): every uploaded version, * = the one every host serves."""
    from chatbot.admin.versions import describe

    for info in describe(settings):
        state = f"{info.passages} passages, {info.model}, built {info.built_at}"
        if info.problem:
            state += f"; NOT PUBLISHABLE: {info.problem}"
        print(f"{'*' if info.current else ' '} {info.version}  {state}")
    return 0


def cmd_publish(args) -> int:
    """Embedded: move index/current. Fleet: check the version is uploaded and sound, move the
    database's current version and notify every host, in one transaction."""
    from chatbot.index import fleet
    from chatbot.index.store import set_current, IndexCorrupt
    from chatbot.storage.artifacts import ArtifactDamaged, ArtifactMissing
    from chatbot.storage.registry import NotUploaded

    settings = _settings(args)
    try:
        if settings.database_url:
            fleet.publish(settings, args.version, by="cli")
        else:
            set_current(settings.index_dir, args.version)
    except (IndexCorrupt, ArtifactDamaged, ArtifactMissing, NotUploaded) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    print(f"published {args.version}")
    return 0


def cmd_create_admin(args) -> int:
    """The first publisher (or any account) from the shell: there is no default account or password."""
    import getpass

    from chatbot.admin.accounts import AccountError, create_user
    from chatbot.admin.audit import record
    from chatbot.storage import migrate
    from chatbot.storage.database import redacted, state_database

    settings = Settings()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.username}: ")
        if getpass.getpass("Repeat it: ") != password:
            print("the passwords differ", file=sys.stderr)
            return 2
    db = state_database(settings)
    roles = set(args.roles.split(","))
    try:
        migrate.ensure_ready(settings)          # embedded: creates the SQLite file; shared: must be upgraded
        user = create_user(db, args.username, password, roles)
    except (AccountError, migrate.SchemaBehind) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    record(db, "cli", "user.create", user.username, {"roles": sorted(user.roles), "via": "create-admin"})
    print(f"created {user.username} ({', '.join(sorted(user.roles))}) in {redacted(db.url)}")
    return 0


def cmd_purge_feedback(args) -> int:
    from chatbot.feedback.store import FeedbackStore, FeedbackUnavailable
    from chatbot.storage.database import redacted

    settings = _settings(args)
    days = settings.feedback_retention_days
    try:
        store = FeedbackStore.open(settings)      # embedded: migrates the SQLite files on a fresh machine
        count = store.purge(days, dry_run=args.dry_run)
    except FeedbackUnavailable as exc:
        print(f"feedback database unavailable: {exc}", file=sys.stderr)
        return 2
    verb = "would delete" if args.dry_run else "deleted"
    print(f"{verb} {count} feedback row(s) received more than {days} days ago from {redacted(store.db.url)}")
    return 0


def cmd_db(args) -> int:
    """The schema of every database in use: SQLite files, or the shared PostgreSQL (DATABASE_URL)."""
    from chatbot.storage import migrate
    from chatbot.storage.corpus import corpus_store
    from chatbot.storage.database import redacted, state_database

    settings = _settings(args)
    if args.action == "upgrade":
        for db in migrate.upgrade_all(settings, args.revision or "head"):
            print(f"{redacted(db.url)}: at {migrate.current(db)}")
        if migrate.is_current(state_database(settings)):
            outcome = corpus_store(settings).sync_seed(settings.corpus_dir)   # the shipped corpus seeds it
            print(f"corpus: {outcome} (shipped corpus {settings.corpus_dir})")
    elif args.action == "downgrade":
        if not args.revision:
            print("downgrade needs a revision (base = empty)", file=sys.stderr)
            return 2
        for db in reversed(migrate.databases_in_use(settings)):
            migrate.downgrade(db, args.revision)
            print(f"{redacted(db.url)}: at {migrate.current(db) or 'base'}")
    else:
        for db in migrate.databases_in_use(settings):
            print(f"{redacted(db.url)}: at {migrate.current(db) or 'base (never migrated)'}, code needs {migrate.head()}")
    return 0


def cmd_worker(args) -> int:
    """The Procfile's ``worker:`` line: take staff builds (and their evaluation) from the build
    queue (RQ on REDIS_URL, state in DATABASE_URL), one at a time, each in a forked work horse."""
    import logging

    from chatbot.admin import jobs
    from chatbot.admin.build_queue import QueueUnreachable

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return jobs.work(_settings(args), burst=args.burst)
    except (jobs.BuildNotStarted, QueueUnreachable) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chatbot", description="Seoul program finder")
    parser.add_argument("--index-dir", help="override CHATBOT_INDEX_DIR")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build-index", help="chunk, embed and publish the corpus")
    build.add_argument("--if-missing", action="store_true", help="do nothing when a version is published")
    build.add_argument("--force", action="store_true", help="rebuild even if this version exists")
    build.add_argument("--no-publish", action="store_true", help="build without switching index/current")
    build.add_argument("--quiet", action="store_true")
    build.set_defaults(func=cmd_build_index)

    ask = sub.add_parser("ask", help="answer one question with citations")
    ask.add_argument("question")
    ask.add_argument("--lang")
    ask.add_argument("--top-k", type=int, default=5)
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(func=cmd_ask)

    serve = sub.add_parser("serve", help="run the Procfile's gunicorn server")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=cmd_serve)

    listing = sub.add_parser("backends", help="list the registered embedding backends (* = configured)")
    listing.set_defaults(func=cmd_backends)

    versions = sub.add_parser("versions", help="list built index versions (* = published)")
    versions.set_defaults(func=cmd_versions)

    publish = sub.add_parser("publish", help="point index/current at a built version (checksums verified)")
    publish.add_argument("version")
    publish.set_defaults(func=cmd_publish)

    worker = sub.add_parser("worker", help="run staff builds from the build queue (REDIS_URL + DATABASE_URL)")
    worker.add_argument("--burst", action="store_true", help="stop once the queue is empty")
    worker.set_defaults(func=cmd_worker)

    admin = sub.add_parser("create-admin", help="create a staff account for /admin (default: editor + publisher)")
    admin.add_argument("username")
    admin.add_argument("--roles", default="editor,publisher", help="comma-separated: editor, publisher")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    admin.set_defaults(func=cmd_create_admin)

    purge = sub.add_parser("purge-feedback",
                           help="delete feedback older than CHATBOT_FEEDBACK_RETENTION_DAYS (run daily, e.g. cron)")
    purge.add_argument("--dry-run", action="store_true", help="only count the rows that would be deleted")
    purge.set_defaults(func=cmd_purge_feedback)

    database = sub.add_parser("db", help="migrate the databases in use (SQLite files, or DATABASE_URL)")
    database.add_argument("action", choices=("upgrade", "downgrade", "current"))
    database.add_argument("revision", nargs="?", help="target revision (upgrade: head; downgrade: required)")
    database.set_defaults(func=cmd_db)

    args = parser.parse_args(argv)
    return args.func(args)

