"""Whole-site backups: users, content and media in one .tar.gz, restored only when whole.

The database goes in as one JSON fixture (what `dumpdata --natural-foreign` writes, with
exact times), so an archive is the same on SQLite and PostgreSQL and restores into either;
content types and permissions are not copied but referred to by natural key, since `migrate`
makes them on every database with ids of its own. The media files go in beside it, and a
manifest (written last) lists every member with its size and SHA-256, the row count of every
model and the applied migrations. A restore checks all of that before it writes anything,
loads the rows in one transaction, and writes the media inside that transaction, so a failure
anywhere leaves the site as it was.
"""

import datetime
import hashlib
import io
import itertools
import json
import os
import tarfile
import tempfile
import zlib
from collections import Counter
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import django
from django.apps import apps
from django.core import serializers
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.utils import validate_file_name
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from blog.affiliates import forget_rules, seed_networks
from blog.content_version import bump_content_generation
from blog.models import Listing, Passage, Post, SearchEntry
from blog.models.stored import rebuild_all

FORMAT = "byline-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
MEDIA = "media/"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024

# Rows every `migrate` makes with ids of its own (referred to by natural key instead), and
# sessions: nobody stays logged in across a restore.
# Listings are derived from posts and their parts, and rebuilt on restore (as the search index
# and its passages).
NOT_BACKED_UP = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "blog.listing",
    "blog.passage",
    "blog.searchentry",
}
# Rows a freshly migrated database already holds (the role groups): the archive's replace
# them, and they alone do not make a database "hold a site".
MADE_BY_MIGRATE = {
    "auth.group",
    "blog.affiliatenetwork",
    "blog.affiliaterule",
    "blog.sitesettings",
}


def backed_up_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in NOT_BACKED_UP
        and model._meta.managed
        and not model._meta.proxy
    ]


def byline_version():
    try:
        return version("byline")
    except PackageNotFoundError:  # run from a checkout that was never pip-installed
        return "unknown"


def applied_migrations():
    recorder = MigrationRecorder(connection)
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def media_names(storage, path=""):
    """Every file name in `storage`, walking its folders."""
    try:
        folders, files = storage.listdir(path)
    except FileNotFoundError:  # MEDIA_ROOT not made yet: nothing uploaded
        return
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for folder in sorted(folders):
        yield from media_names(storage, f"{path}/{folder}" if path else folder)


class _ExactJSONEncoder(DjangoJSONEncoder):
    """Keeps microseconds, which Django's own JSON (and so `dumpdata`) cuts to milliseconds:
    a restored site gives the same times, orders and ETags."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _dump(models, stream):
    """What `dumpdata --natural-foreign --all` writes for `models`, with exact times."""
    ordered = serializers.sort_dependencies([(None, models)], allow_cycles=True)
    serializers.serialize(
        "json",
        itertools.chain.from_iterable(
            model._base_manager.order_by(model._meta.pk.name).iterator() for model in ordered
        ),
        stream=stream,
        use_natural_foreign_keys=True,
        cls=_ExactJSONEncoder,
    )


class _HashingReader:
    """Reads through to `file`, hashing what passes."""

    def __init__(self, file):
        self.file, self.sha256, self.size = file, hashlib.sha256(), 0

    def read(self, size=-1):
        chunk = self.file.read(size)
        self.sha256.update(chunk)
        self.size += len(chunk)
        return chunk


def _add(tar, name, file, size):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(timezone.now().timestamp()), 0o644
    reader = _HashingReader(file)
    try:
        tar.addfile(info, reader)
    except OSError as exc:
        raise CommandError(f"{name} changed while it was being backed up; run again.") from exc
    return {"size": reader.size, "sha256": reader.sha256.hexdigest()}


def write_backup(path, storage=default_storage):
    """Write the site to `path` (a .tar.gz) and return the manifest.

    The archive is written beside `path` and renamed into place when complete, so a failed run
    never leaves a truncated file under the name of a good one.
    """
    path = Path(path)
    models = backed_up_models()
    partial = path.with_name(f".{path.name}.partial")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / DATA
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # One snapshot of every table while the site keeps taking writes (SQLite's
                # transaction already reads one).
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            counts = {m._meta.label_lower: m._base_manager.count() for m in models}
            with data.open("w") as stream:
                _dump(models, stream)
            migrations = applied_migrations()
        try:
            # Password hashes and email addresses: readable by the owner alone.
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(descriptor, "wb") as file, tarfile.open(fileobj=file, mode="w:gz") as tar:
                with data.open("rb") as file:
                    files = {DATA: _add(tar, DATA, file, data.stat().st_size)}
                for name in media_names(storage):
                    with storage.open(name, "rb") as file:
                        files[MEDIA + name] = _add(tar, MEDIA + name, file, storage.size(name))
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "byline_version": byline_version(),
                    "django_version": django.get_version(),
                    "created_at": timezone.now().isoformat(),
                    "database_vendor": connection.vendor,
                    "migrations": migrations,
                    "counts": counts,
                    "files": files,
                }
                encoded = json.dumps(manifest, indent=2).encode()
                _add(tar, MANIFEST, io.BytesIO(encoded), len(encoded))
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


class Backup:
    """An archive that passed every check: its manifest, its rows, and where its media are."""

    def __init__(self, path, manifest, data):
        self.path, self.manifest, self.data = Path(path), manifest, data

    @property
    def media(self):
        return sorted(name for name in self.manifest["files"] if name.startswith(MEDIA))


def _refuse(path, problem):
    raise CommandError(f"{path}: {problem}. Nothing was restored.")


def read_backup(path):
    """Check the archive at `path` end to end and return it as a Backup; raise CommandError
    naming the first problem found. Nothing is written."""
    path = Path(path)
    if not path.is_file():
        _refuse(path, "no such file")
    digests, manifest_bytes, data = {}, None, None
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                name = member.name
                if not member.isreg():
                    _refuse(path, f"{name!r} is not a regular file; a backup holds only files")
                if name in digests or (name == MANIFEST and manifest_bytes is not None):
                    _refuse(path, f"{name!r} appears twice")
                if name not in (MANIFEST, DATA):
                    _check_media_name(path, name)
                file = tar.extractfile(member)
                if name == MANIFEST:
                    if member.size > MAX_MANIFEST_BYTES:
                        _refuse(path, "the manifest is implausibly large")
                    manifest_bytes = file.read()
                    continue
                sha256 = hashlib.sha256()
                if name == DATA:
                    data = file.read()
                    sha256.update(data)
                else:
                    while chunk := file.read(1 << 20):
                        sha256.update(chunk)
                digests[name] = {"size": member.size, "sha256": sha256.hexdigest()}
            # tarfile stops quietly at a damaged header; reading to the end makes gzip check
            # its CRC and length, so damage anywhere is reported as damage.
            while tar.fileobj.read(1 << 20):
                pass
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        _refuse(path, f"not a readable .tar.gz archive: damaged or cut short ({exc})")

    manifest = _parse_manifest(path, manifest_bytes)
    listed = manifest["files"]
    for name in sorted(set(listed) - set(digests)):
        _refuse(path, f"{name!r} is listed in the manifest but missing from the archive")
    for name in sorted(set(digests) - set(listed)):
        _refuse(path, f"{name!r} is in the archive but not in its manifest")
    for name, digest in digests.items():
        if digest != listed[name]:
            _refuse(path, f"{name!r} is damaged: its size or SHA-256 differs from the manifest")

    try:
        counted = Counter(row["model"].lower() for row in json.loads(data))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        _refuse(path, f"{DATA} is not a list of rows ({exc!r})")
    if counted != Counter({label: n for label, n in manifest["counts"].items() if n}):
        _refuse(path, f"the rows in {DATA} do not match the counts in the manifest")
    unknown = sorted(set(counted) - {m._meta.label_lower for m in backed_up_models()})
    if unknown:
        _refuse(path, f"it holds rows of {', '.join(unknown)}, which this site does not keep")

    here, there = set(applied_migrations()), set(manifest["migrations"])
    if here != there:
        only_there, only_here = sorted(there - here), sorted(here - there)
        _refuse(
            path,
            "it was made at another migration state (only in the archive: "
            f"{', '.join(only_there) or 'none'}; only in this database: "
            f"{', '.join(only_here) or 'none'}). Restore it with Byline "
            f"{manifest.get('byline_version', '?')} into a database migrated to that state, "
            "then upgrade",
        )
    return Backup(path, manifest, data)


def _check_media_name(path, name):
    try:
        if not name.startswith(MEDIA) or name == MEDIA:
            raise SuspiciousFileOperation(name)
        validate_file_name(name[len(MEDIA) :], allow_relative_path=True)
    except SuspiciousFileOperation:
        _refuse(path, f"{name!r} is not a media file name a backup can hold")


def _parse_manifest(path, manifest_bytes):
    if manifest_bytes is None:
        _refuse(path, f"it has no {MANIFEST}: it is not a Byline backup, or not a whole one")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as exc:
        _refuse(path, f"{MANIFEST} is not JSON ({exc})")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        _refuse(path, "it is not a Byline backup")
    if manifest.get("format_version") != FORMAT_VERSION:
        _refuse(
            path,
            f"it is a format {manifest.get('format_version')!r} backup; this Byline reads "
            f"format {FORMAT_VERSION}",
        )
    for key, kind in {"files": dict, "counts": dict, "migrations": list}.items():
        if not isinstance(manifest.get(key), kind):
            _refuse(path, f"its manifest has no valid {key!r}")
    return manifest


def site_contents(storage=default_storage):
    """What a restore would replace ("accounts.User: 2", …); empty for a freshly migrated
    site."""
    held = []
    for model in backed_up_models():
        if model._meta.label_lower not in MADE_BY_MIGRATE:
            if count := model._base_manager.count():
                held.append(f"{model._meta.label}: {count}")
    if next(media_names(storage), None) is not None:
        held.append("files in the media storage")
    return held


def restore_backup(backup, force=False, storage=default_storage):
    """Replace the site's users, content and media with the archive's, all or nothing."""
    held = site_contents(storage)
    if held and not force:
        raise CommandError(
            f"This site is not empty ({', '.join(held)}). Restoring would replace "
            "that. Restore into a freshly migrated database, or pass --force to replace it. "
            "Nothing was restored."
        )
    with tempfile.TemporaryDirectory() as tmp, _MediaWriter(storage, Path(tmp)) as media:
        with transaction.atomic():
            _clear_tables()
            fixture = Path(tmp) / DATA
            fixture.write_bytes(backup.data)
            try:
                call_command("loaddata", str(fixture), verbosity=0)
            except Exception as exc:
                raise CommandError(
                    f"{backup.path}: its rows do not load into this database ({exc}). "
                    "Nothing was restored."
                ) from exc
            seed_networks()  # an archive from before they existed has none
            forget_rules()
            _rebuild_search_index()
            rebuild_all()  # what pages show of each post's parts, and its listings
            # Media last, still inside the transaction: if a file cannot be written, the
            # rows roll back and the media writer puts the files back as they were.
            with tarfile.open(backup.path, "r:gz") as tar:
                for arcname in backup.media:
                    content = tar.extractfile(arcname).read()
                    if (
                        hashlib.sha256(content).hexdigest()
                        != (backup.manifest["files"][arcname]["sha256"])
                    ):
                        raise CommandError(f"{backup.path}: {arcname!r} changed while restoring")
                    try:
                        media.write(arcname[len(MEDIA) :], content)
                    except OSError as exc:
                        raise CommandError(
                            f"{backup.path}: could not write {arcname!r} into the media "
                            f"storage ({exc}). Nothing was restored."
                        ) from exc
    bump_content_generation()  # cached pages showed the site as it was


class _MediaWriter:
    """Writes media files, and on an exception undoes what it wrote: files it added are
    deleted, files it replaced get their old bytes back (kept in `spare`)."""

    def __init__(self, storage, spare):
        self.storage, self.spare, self.undo = storage, spare, []

    def write(self, name, content):
        old = None
        if self.storage.exists(name):
            with self.storage.open(name, "rb") as file:
                if file.read() == content:
                    return
            old = self.spare / f"old-{len(self.undo)}"
            with self.storage.open(name, "rb") as file:
                old.write_bytes(file.read())
            self.storage.delete(name)
        self.undo.append((name, old))
        saved = self.storage.save(name, ContentFile(content))
        if saved != name:
            self.undo[-1] = (saved, old)
            raise CommandError(f"the media storage stored {name!r} as {saved!r}")

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, traceback):
        if exc is None:
            return
        for name, old in reversed(self.undo):
            self.storage.delete(name)
            if old is not None:
                self.storage.save(name, ContentFile(old.read_bytes()))


def _clear_tables():
    """Empty every table a backup fills (and sessions, listings, passages and search entries),
    as `flush` would, those alone."""
    tables = {"django_session", *(m._meta.db_table for m in (Listing, Passage, SearchEntry))}
    for model in backed_up_models():
        tables.add(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            if field.remote_field.through._meta.auto_created:
                tables.add(field.remote_field.through._meta.db_table)
    tables &= set(connection.introspection.table_names())
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), sorted(tables)))


def _rebuild_search_index():
    """The full-text index is PostgreSQL's own: rebuild it rather than trust the archive's
    (which is empty when the archive came from SQLite)."""
    if connection.vendor == "postgresql":
        for post in Post.objects.iterator():
            post.update_search_vector()
