"""An uploaded file imported by what it is: one Markdown file, a .zip of them (with the images
they name, which become library images), or a WordPress export. What the admin's background
import runs (see ImportJob); the commands read folders and files themselves."""

import io
import zipfile
import zlib
from pathlib import PurePosixPath

from blog.importers import import_markdown, import_wordpress
from blog.importers.markdown_files import MAX_BYTES
from blog.importers.media import ZipMedia
from blog.importers.records import ImportProblem

MAX_ZIP_FILES = 5000
MAX_ZIP_BYTES = 200 * 1024 * 1024  # unpacked, all members together
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".txt"}


def import_file(name, raw, *, include_pages=False, progress=None, **options):
    """Import the bytes of the file called `name`; the Report, or ImportProblem when the file
    as a whole cannot be read (nothing is written then). `progress` hears of each file done
    (see progress.Progress)."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".xml":
        return import_wordpress(raw, include_pages=include_pages, progress=progress, **options)
    if suffix == ".zip":
        sources, media = zip_sources(raw), zip_media(raw)
        if media:
            options["media"] = media
    else:
        path = PurePosixPath(name)
        sources = [(path.name, path.stem, lambda: raw)]
    if progress:
        progress.expect(len(sources))
    return import_markdown(sources, progress=progress, **options)


def zip_media(raw):
    """The images in a zip, for the posts in it that name them (blog/importers/media.py)."""
    return ZipMedia(zipfile.ZipFile(io.BytesIO(raw)))


def zip_sources(raw):
    """(name, source id, reader) for the Markdown files in a zip, read in memory, with size
    limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise ImportProblem("this .zip file is damaged or not a zip file") from None
    members = [
        member
        for member in archive.infolist()
        if not member.is_dir()
        and PurePosixPath(member.filename).suffix.lower() in MARKDOWN_SUFFIXES
        and not PurePosixPath(member.filename).name.startswith(".")
        and "__MACOSX" not in member.filename
    ]
    if not members:
        raise ImportProblem("the .zip file holds no Markdown files (.md)")
    if len(members) > MAX_ZIP_FILES:
        raise ImportProblem(
            f"the .zip file holds {len(members):,} files; the limit is {MAX_ZIP_FILES:,}"
        )

    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_ZIP_BYTES:
        raise ImportProblem(
            f"the .zip file unpacks to {unpacked:,} bytes; the limit is {MAX_ZIP_BYTES:,}"
        )

    def reader(member):
        def read():
            if member.file_size > MAX_BYTES:
                raise ImportProblem(
                    f"the file is {member.file_size:,} bytes; the limit is {MAX_BYTES:,}"
                )
            try:
                with archive.open(member) as source:  # reads no more than the size declared
                    return source.read(MAX_BYTES)
            except (zipfile.BadZipFile, zlib.error, EOFError) as error:
                raise ImportProblem(f"this member of the .zip file is damaged ({error})") from None

        return read

    return [
        (member.filename, PurePosixPath(member.filename).with_suffix("").as_posix(), reader(member))
        for member in members
    ]
