"""A post's states, who may move a post between them, and what a post needs before it goes
out.

"Scheduled" is not a state of its own: it is a published post whose publish time is ahead.
Contributors write and submit their own posts; Authors also publish, schedule, archive and
unpublish their own; Editors do everything to every post. Every listed author is an owner.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format


class Status(models.TextChoices):
    """A post's state (Post.Status)."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Kind(models.TextChoices):
    """A post (Post.Kind), in the site's lists, feeds and search; or a standalone page (About,
    Contact, Privacy) at /<slug>/, in none of them. Both go through the same workflow."""

    POST = "post", "Post"
    PAGE = "page", "Page"


# What lists and badges call a published post whose publish time is ahead.
SCHEDULED, SCHEDULED_LABEL = "scheduled", "Scheduled"
# A typed publish time this close to now still counts as "now" (forms are slow to fill in).
NOW_TOLERANCE_SECONDS = 120


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    needs_publish_right: bool


_BEFORE_PUBLISHING = frozenset({Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED})
_TAKEN_BACK = frozenset({Status.IN_REVIEW, Status.PUBLISHED, Status.ARCHIVED})
_DRAFTED = frozenset({Status.DRAFT})
TRANSITIONS = {
    t.name: t
    for t in [
        Transition("submit", "Submit for review", _DRAFTED, Status.IN_REVIEW, False),
        Transition("publish", "Publish now", _BEFORE_PUBLISHING, Status.PUBLISHED, True),
        Transition("schedule", "Schedule", _BEFORE_PUBLISHING, Status.PUBLISHED, True),
        Transition("archive", "Archive", frozenset({Status.PUBLISHED}), Status.ARCHIVED, True),
        Transition("draft", "Back to draft", _TAKEN_BACK, Status.DRAFT, False),
    ]
}  # fmt: skip


class PostWorkflow:
    """The editorial rules, mixed into Post."""

    def is_owned_by(self, user):
        if self.pk is None:
            return True
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("authors")
        if prefetched is not None:
            return any(author.pk == user.pk for author in prefetched)
        return self.authors.filter(pk=user.pk).exists()

    def is_visible_in_admin_to(self, user):
        """Whether `user` may open this post in the admin (PostAdmin's view rule): active staff
        with the post permission, and an Editor or one of its authors."""
        return (
            user.is_active
            and user.is_staff
            and (user.has_perm("blog.view_post") or user.has_perm("blog.change_post"))
            and (user.has_perm("blog.edit_any_post") or self.is_owned_by(user))
        )

    def can_publish(self, user):
        return user.has_perm("blog.publish_post") and (
            user.has_perm("blog.edit_any_post") or self.is_owned_by(user)
        )

    def can_edit(self, user):
        """Change the content: owners and editors; without the right to publish, only before
        the post goes out."""
        if not user.has_perm("blog.change_post"):
            return False
        if user.has_perm("blog.edit_any_post"):
            return True
        if not self.is_owned_by(user):
            return False
        return self.status in {Status.DRAFT, Status.IN_REVIEW} or user.has_perm("blog.publish_post")

    def can_delete(self, user):
        return user.has_perm("blog.delete_post") and (
            user.has_perm("blog.edit_any_post") or self.is_owned_by(user)
        )

    def is_published(self):
        return self.status == Status.PUBLISHED and self.publish_at <= timezone.now()

    is_published.boolean = True
    is_published.short_description = "public"

    def is_scheduled(self):
        return self.status == Status.PUBLISHED and self.publish_at > timezone.now()

    @property
    def state(self):
        """The status, or "scheduled" for a published post whose time is still ahead."""
        return SCHEDULED if self.is_scheduled() else self.status

    def get_state_display(self):
        return SCHEDULED_LABEL if self.is_scheduled() else self.get_status_display()

    def unpublished_notice(self):
        """Why readers cannot see this post, for the banner on its preview."""
        noun = self.get_kind_display().lower()
        if self.is_scheduled():
            when = date_format(timezone.localtime(self.publish_at), "DATETIME_FORMAT")
            return f"This {noun} is scheduled for {when}: readers cannot see it yet."
        if self.status == Status.ARCHIVED:
            return f"This {noun} is archived: readers cannot see it."
        if self.status == Status.PUBLISHED:
            return f"This {noun} is published: readers see it."
        state = "a draft" if self.status == Status.DRAFT else "in review"
        return f"This {noun} is {state}: readers cannot see it yet."

    def may(self, name, user):
        transition = TRANSITIONS[name]
        if self.status not in transition.sources or not self.can_edit(user):
            return False
        if name == "publish" and self.status == Status.PUBLISHED and not self.is_scheduled():
            return False  # already out
        # Taking back a post that is out in the world is a publishing decision too.
        needs_right = transition.needs_publish_right or self.status in {
            Status.PUBLISHED,
            Status.ARCHIVED,
        }
        return self.can_publish(user) if needs_right else True

    def available_transitions(self, user):
        return [t for name, t in TRANSITIONS.items() if self.may(name, user)]

    def check_transition(self, name, user, publish_at=None, submitted=None):
        """Raise PermissionDenied, or ValidationError with every reason, unless `user` may move
        this post by `name`, with the publish time `publish_at` if given (`submitted`: see
        check_ready_to_publish)."""
        if name not in TRANSITIONS:
            raise ValidationError(f"“{name}” is not a workflow step.")
        if not self.may(name, user):
            label = TRANSITIONS[name].label.lower()
            raise PermissionDenied(
                f"You may not {label} “{self.title}” while it is {self.get_status_display()}."
            )
        when = publish_at or self.publish_at
        now = timezone.now()
        errors = {}
        if name == "schedule" and when <= now:
            errors["publish_at"] = [
                f"A scheduled post needs a publish time in the future; "
                f"{date_format(timezone.localtime(when), 'DATETIME_FORMAT')} has passed. To "
                f"publish at once, use “Publish now”."
            ]
        if name == "publish" and when > now + timezone.timedelta(seconds=NOW_TOLERANCE_SECONDS):
            errors["publish_at"] = [
                "This publish time is in the future: use “Schedule” to publish then, or set it "
                "to now to publish at once."
            ]
        if TRANSITIONS[name].target == Status.PUBLISHED:
            # Every reason at once: a writer fixes them in one go, not one per try.
            try:
                self.check_ready_to_publish(submitted)
            except ValidationError as unready:
                errors = unready.update_error_dict(errors)
        elif name == "submit" and (images := self.images_without_alt_text("for review")):
            # An editor reviews what readers would get: alt text is the writer's to give.
            errors["body"] = images
        if errors:
            raise ValidationError(errors)

    def images_without_alt_text(self, ready_for):
        """Why the body's library images are not ready (blog/compliance.py image_problems),
        as sentences starting "Not ready `ready_for`"."""
        from blog.compliance import image_problems

        return [f"Not ready {ready_for}: {problem}" for problem in image_problems(self)]

    def check_ready_to_publish(self, submitted=None):
        """Raise ValidationError with every reason the post cannot go out yet. `submitted`:
        {"faq_answers": [Markdown] or None, "reference_urls": [URL] or None} when a form's
        text is checked before it is saved (the body is this instance's); None for the post
        as stored."""
        from blog.compliance import problems

        errors = {}
        if not self.description.strip():
            errors["description"] = (
                "Add a description before publishing: search results and social cards show it."
            )
        if self.featured_image_id and not self.featured_alt().strip():
            image = self.featured_image
            errors["featured_image_alt"] = (
                f"Describe the featured image (“{image.title}”, image:{image.pk}) before "
                "publishing, here or in the image library, for readers who cannot see it."
            )
        if submitted is None:
            sponsored = problems(self)
        else:
            sponsored = problems(
                self,
                body=self.body,
                faq_answers=submitted["faq_answers"],
                reference_urls=submitted.get("reference_urls"),
            )
        if sponsored:
            errors["__all__"] = [f"Not ready to publish: {problem}" for problem in sponsored]
        if images := self.images_without_alt_text("to publish"):
            errors["body"] = images
        if errors:
            raise ValidationError(errors)

    def apply_transition(self, name, keep_publish_time=False):
        """Move to the transition's state (unsaved). "Publish now" stamps the publish time
        unless it was set on purpose (a backdated post)."""
        self.status = TRANSITIONS[name].target
        if self.status == Status.ARCHIVED:
            # Preview links given out stay dead even if the post comes back to draft.
            self.preview_generation += 1
        if name == "publish" and not keep_publish_time:
            self.publish_at = timezone.now()
