"""Tags and authors as the public and each writer may see them, and changes to tags that
every post carrying them records."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from taggit.models import Tag

from blog.models.post import Post
from blog.models.stored import public_under


def public_tags():
    """Tags of published posts: a tag used only on drafts stays unknown to the public. (Its
    newest public listing, one index probe: not a join over all its posts.)"""
    return Tag.objects.filter(Exists(public_under(tag=OuterRef("pk"))))


def visible_tags(user):
    """Tags `user` may know of: all for those who manage tags, otherwise those of the posts
    they may know of (a tag used only on someone else's draft gives the draft away)."""
    if user.has_perm("taggit.change_tag"):
        return Tag.objects.all()
    return Tag.objects.filter(pk__in=Tag.objects.filter(post__in=Post.objects.visible_to(user)))


def retagged(posts, by, note):
    """After tags were renamed or deleted (no tagging signal says so): bring each post's
    search text up to date and keep a revision."""
    for post in posts:
        post.save_with_history(by=by, note=note, update_fields=[])


def merge_tags(tags, name, by=None):
    """Put the tag called `name` (made if missing) on every post carrying one of `tags`, and
    delete those; each post changed keeps a revision. Returns the tag and the number of posts
    changed."""
    with transaction.atomic():
        into = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        merged = [tag for tag in tags if tag.pk != into.pk]
        posts = list(Post.objects.filter(tags__in=merged).distinct())
        merged_names = {tag.name for tag in merged}
        for post in posts:
            names = [name for name in post.tags.names() if name not in merged_names]
            post.apply_content({"tags": [*names, into.name]})
            post.save_with_history(by=by, note=f"Tags merged into “{into}”", update_fields=[])
        Tag.objects.filter(pk__in=[tag.pk for tag in merged]).delete()
    return into, len(posts)


def public_authors():
    """People with a published post: other accounts (staff, new writers) stay unlisted."""
    return get_user_model().objects.filter(Exists(public_under(author=OuterRef("pk"))))
