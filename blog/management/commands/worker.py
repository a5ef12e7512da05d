"""A worker: runs the task queue's jobs and, beside them, the go-live scheduler (blog/golive.py),
so that one command is all a server needs, and scheduled posts go live with no cron job."""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from blog import fragments, golive, redirects

logger = logging.getLogger("blog.golive")

# Finished jobs of the database backend are kept this long (the delivery log is kept apart).
KEEP_FINISHED_JOBS = timedelta(days=1)


class Command(BaseCommand):
    help = (
        "Run queued jobs (imports, go-live deliveries) and the go-live scheduler. With "
        "--batch, deliver everything due now and exit."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run the scheduler and every job it queues until nothing is due, then exit.",
        )

    def handle(self, *args, batch=False, verbosity=1, **options):
        if batch:
            self.run_batch(verbosity)
            return
        stop = threading.Event()
        scheduler = threading.Thread(target=self.schedule, args=(stop,), daemon=True)
        scheduler.start()
        try:
            self.run_jobs(verbosity)
        finally:
            stop.set()
            scheduler.join(timeout=settings.BYLINE_SCHEDULER_SECONDS + 5)

    def run_batch(self, verbosity):
        while True:
            queued = golive.tick()
            self.run_jobs(verbosity, batch=True)
            if not queued:
                return

    def run_jobs(self, verbosity, batch=False):
        """The backend's own worker, in this thread (it handles SIGTERM: the job running is
        finished or, if killed, its lease runs out and it is sent again)."""
        if settings.BYLINE_TASK_BACKEND == "rq":
            arguments = ["--job-class", "django_tasks_rq.backend.Job"]
            call_command(
                "rqworker", *arguments, *(["--burst"] if batch else []), "default",
                verbosity=verbosity,
            )  # fmt: skip
        else:
            call_command(
                "db_worker",
                *(["--batch"] if batch else []),
                "--no-startup-delay",
                "--interval",
                "0.5",
                verbosity=verbosity,
            )

    def schedule(self, stop):
        """Every BYLINE_SCHEDULER_SECONDS: make the deliveries of due events and queue them;
        first, store again the post fragments rendered from other templates (a deploy changed
        them); hourly, forget finished jobs and the delivery log's old events, and prune the 404
        counts. A database that is down is waited out."""
        pruned, fragments_checked = None, False
        while not stop.is_set():
            try:
                close_old_connections()
                golive.tick()
                if not fragments_checked:  # once, after a deploy that changed the templates
                    if refreshed := fragments.refresh_stale():
                        logger.info("Fragments of %s posts stored again.", refreshed)
                    fragments_checked = True
                if pruned is None or time.monotonic() - pruned > 3600:
                    self.prune()
                    pruned = time.monotonic()
            except Exception:
                logger.exception("The go-live scheduler failed; trying again")
            stop.wait(settings.BYLINE_SCHEDULER_SECONDS)

    def prune(self):
        golive.forget_old()
        redirects.prune_not_found()
        if settings.BYLINE_TASK_BACKEND != "database":
            return  # RQ keeps results for a time of its own
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.finished().filter(
            finished_at__lt=timezone.now() - KEEP_FINISHED_JOBS
        ).delete()
