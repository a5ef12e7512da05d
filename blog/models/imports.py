"""Imports started in the admin, run by the task queue's worker: a large .zip takes longer than
a request may. The job row is what the admin's import pages show: progress while it runs, the
report or the error after."""

import dataclasses
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.tasks import task
from django.utils import timezone

from blog.uploads import import_file_name, import_storage

logger = logging.getLogger(__name__)

# The job row is written when this many seconds have passed since it last was (and at the end),
# not once per file.
PROGRESS_SECONDS = 1.0
# A running job silent this long has lost its worker (a worker saves 100 files in seconds).
STALLED_AFTER = timedelta(minutes=10)
# A queued job waiting this long suggests no worker is running.
UNCLAIMED_AFTER = timedelta(minutes=2)
RECENT_JOBS = 20


class ImportJobQuerySet(models.QuerySet):
    def recent(self):
        return self.select_related("started_by").order_by("-created_at", "-pk")[:RECENT_JOBS]


class ImportJob(models.Model):
    """One upload to the admin's import, from the moment it is queued until its report."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Kept until the job ends, in private storage under a name of ours (blog/uploads.py).
    file = models.FileField(storage=import_storage, upload_to=import_file_name, blank=True)
    file_name = models.CharField(max_length=255, help_text="The name it was uploaded under.")
    options = models.JSONField(default=dict, help_text="The import form's choices.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    files_done = models.PositiveIntegerField(default=0)
    files_total = models.PositiveIntegerField(null=True, help_text="Known once the file is read.")
    started_at = models.DateTimeField(null=True)
    progress_at = models.DateTimeField(null=True, help_text="When the worker last wrote here.")
    finished_at = models.DateTimeField(null=True)
    report = models.JSONField(null=True, help_text="The importer's Report, with its summary.")
    error = models.TextField(blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        # Seeing and starting jobs is for whoever may import (PostAdmin.has_import_permission):
        # no permissions of their own.
        default_permissions = ()
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Import of {self.file_name}"

    @classmethod
    def start(cls, upload, *, by, **options):
        """Keep the upload and queue its import, once the row is committed for the worker."""
        # An uploaded file's name is at most 255 characters (UploadedFile cuts it).
        job = cls.objects.create(started_by=by, file=upload, file_name=upload.name, options=options)
        transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
        return job

    def run(self):
        """Import the file (in the worker): the same code as the import commands, with the row
        following its progress. Does nothing for a job another worker took."""
        from blog.importers import ImportProblem
        from blog.importers.uploaded import import_file

        now = timezone.now()
        claimed = ImportJob.objects.filter(pk=self.pk, status=self.Status.QUEUED).update(
            status=self.Status.RUNNING, started_at=now, progress_at=now
        )
        if not claimed:
            return
        self.refresh_from_db()
        progress = JobProgress(self)
        try:
            try:
                with self.file.open("rb") as upload:
                    raw = upload.read()
            except (OSError, ValueError):
                raise ImportProblem(
                    "the uploaded file is not in the import storage: the site and its workers "
                    'must share STORAGES["imports"] (see README, "Importing")'
                ) from None
            report = import_file(self.file_name, raw, progress=progress, **self.options)
        except ImportProblem as problem:
            self._finish(self.Status.FAILED, progress, error=f"{self.file_name}: {problem}.")
        except Exception as problem:
            logger.exception("Import job %s stopped", self.pk)
            self._finish(
                self.Status.FAILED,
                progress,
                error=f"The import stopped on an unexpected error ({type(problem).__name__}: "
                f"{problem}). Files imported before it stay; importing the same file again "
                "updates them and adds the rest.",
            )
        else:
            self._finish(
                self.Status.DONE,
                progress,
                report={**dataclasses.asdict(report), "summary": report.summary()},
            )

    def _finish(self, status, progress, **fields):
        if self.file:
            self.file.delete(save=False)  # the report stays; the upload is not needed again
        self.status, self.finished_at = status, timezone.now()
        self.files_done, self.files_total = progress.done, progress.total
        for field, value in fields.items():
            setattr(self, field, value)
        self.save()

    @property
    def is_stalled(self):
        """Running, but its worker has not written for STALLED_AFTER: it died or was killed."""
        return (
            self.status == self.Status.RUNNING
            and self.progress_at is not None
            and timezone.now() - self.progress_at > STALLED_AFTER
        )

    @property
    def is_unclaimed(self):
        return self.status == self.Status.QUEUED and timezone.now() - self.created_at > (
            UNCLAIMED_AFTER
        )

    @property
    def is_active(self):
        """Still moving: its page refreshes itself."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING) and not self.is_stalled

    @property
    def state(self):
        return "Stalled" if self.is_stalled else self.get_status_display()


class JobProgress:
    """progress.Progress for a job: counts files and writes the count to the job row every
    PROGRESS_SECONDS and when the last file is done, so a large import costs a few writes."""

    def __init__(self, job):
        self.job, self.done, self.total = job, 0, job.files_total
        self.written = time.monotonic()

    def expect(self, total):
        self.total = total
        self._write()

    def advance(self):
        self.done += 1
        if self.done == self.total or time.monotonic() - self.written >= PROGRESS_SECONDS:
            self._write()

    def write(self, message):
        """Messages are in the report at the end."""

    def _write(self):
        ImportJob.objects.filter(pk=self.job.pk).update(
            files_done=self.done, files_total=self.total, progress_at=timezone.now()
        )
        self.written = time.monotonic()


@task
def run_import_job(job_id):
    ImportJob.objects.get(pk=job_id).run()
