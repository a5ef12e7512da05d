"""A post on the editorial calendar: the day it stands on (its publish time once scheduled or
published, its planned day before that), moving it to another day under the workflow's rules,
and the posts a calendar shows."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format

from blog.models.history import StateChange
from blog.workflow import Status

# States whose place on the calendar is a planned day rather than a publish time.
UNPUBLISHED = (Status.DRAFT, Status.IN_REVIEW)


def day_bounds(first, last):
    """The aware datetimes (in the current time zone) from the start of `first` to the start
    of the day after `last`."""
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return start, end


class PostPlanningQuerySet(models.QuerySet):
    """Mixed into PostQuerySet."""

    def on_calendar(self, first, last=None):
        """Posts standing on a day from `first` to `last` (None: any day after; in the current
        time zone): published and scheduled ones by publish time, drafts and posts in review by
        planned day; each marked `was_reviewed` (ever submitted for review)."""
        start, end = day_bounds(first, last or first)
        published = Q(status=Status.PUBLISHED, publish_at__gte=start)
        planned = Q(status__in=UNPUBLISHED, planned_for__gte=first)
        if last is not None:
            published &= Q(publish_at__lt=end)
            planned &= Q(planned_for__lte=last)
        return self.filter(published | planned).with_review_mark()

    def unplanned(self):
        """Drafts and posts in review with no planned day: the calendar's tray."""
        return self.filter(status__in=UNPUBLISHED, planned_for__isnull=True)

    def with_review_mark(self):
        reviewed = StateChange.objects.filter(post=OuterRef("pk"), to_status=Status.IN_REVIEW)
        return self.annotate(was_reviewed=Exists(reviewed))


class PostPlanning:
    """Mixed into Post."""

    def calendar_day(self):
        """The day the calendar shows the post on, or None (unplanned, archived)."""
        if self.status == Status.PUBLISHED:
            return timezone.localtime(self.publish_at).date()
        return self.planned_for if self.status in UNPUBLISHED else None

    def may_move(self, user):
        """Whether `user` may move this post on the calendar at all (where to is checked by
        move_to_day)."""
        if self.status in UNPUBLISHED:
            return self.can_edit(user)
        if self.is_scheduled():
            return self.may("schedule", user)
        return self.status == Status.PUBLISHED and self.can_publish(user) and self.can_edit(user)

    def move_to_day(self, day, *, by, based_on):
        """Move the post to `day`, for `by`, as the calendar showed it at version `based_on`:
        a draft or post in review gets that planned day (None: none, back to the tray); a
        scheduled post keeps its time of day on the new day, through the same checks as
        "Schedule" in the post form. A post that is already public is never moved into the
        future (that would take it off the site). Raises PermissionDenied or ValidationError
        (with the reason), or EditConflict when the post was saved since `based_on`; a move is
        never merged, as what it was decided from is no longer so. Returns the newest
        revision."""
        if self.status in UNPUBLISHED:
            if not self.may_move(by):
                raise PermissionDenied(f"You may not plan “{self.title}”: it is not yours.")
            if day is not None and day < timezone.localdate():
                raise ValidationError(
                    f"“{self.title}” cannot be planned for {_day(day)}: that day has passed."
                )
            self.planned_for = day
            return self._save_move(["planned_for"], by, based_on)
        if self.status != Status.PUBLISHED:
            raise ValidationError(f"“{self.title}” is archived: it has no place on the calendar.")
        if day is None:
            raise ValidationError(
                f"“{self.title}” is {self.get_state_display().lower()}: only drafts and posts "
                "in review wait unplanned. Move it back to draft first."
            )
        moment = timezone.make_aware(
            dt.datetime.combine(day, timezone.localtime(self.publish_at).time())
        )
        if self.is_published():
            if moment > timezone.now():
                raise ValidationError(
                    f"“{self.title}” is already public: moving it to {_day(day)} would take it "
                    "off the site until then. To publish it again later, move it back to draft "
                    "and schedule it."
                )
            if not self.may_move(by):
                raise PermissionDenied(f"You may not change the publish time of “{self.title}”.")
            self.check_ready_to_publish()  # as an edit of a live post in the form
        else:
            if not self.may_move(by):
                raise PermissionDenied(
                    f"You may not reschedule “{self.title}”: that needs the right to publish it."
                )
            self.check_transition("schedule", by, publish_at=moment)
        self.publish_at = moment
        return self._save_move(["publish_at"], by, based_on)

    def _save_move(self, fields, by, based_on):
        return self.save_with_history(
            by=by,
            note="Moved in the calendar",
            update_fields=fields,
            based_on=based_on,
            merge=False,
        )


def _day(day):
    return date_format(day, "l j F Y")
