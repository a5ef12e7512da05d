"""The subscribe page: every feed of the site (the whole site, each topic, the most used tags,
each author) with its address to copy into a feed reader, and what a feed reader is; and the
page of every tag's feed."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, F
from django.urls import reverse
from django.views.generic import ListView, TemplateView

from blog.models import Topic, public_authors
from blog.models.stored import public_under
from blog.seo import PageMetaMixin, fixed_url, static_url

# Tags on the subscribe page itself; the others are one link away.
MOST_USED_TAGS = 12
TAGS_PER_PAGE = 200


def feed_pair(request, name, rss_name, atom_name, slug=None):
    """A feed as the page lists it: what it follows, and its RSS and Atom addresses (whole:
    they are copied into feed readers)."""
    args = [slug] if slug is not None else []
    return {
        "name": name,
        "rss": request.build_absolute_uri(reverse(rss_name, args=args)),
        "atom": request.build_absolute_uri(reverse(atom_name, args=args)),
    }


def tag_feeds(request, tags):
    return [
        feed_pair(request, tag["name"], "blog:tag_feed", "blog:tag_feed_atom", tag["slug"])
        for tag in tags
    ]


def used_tags():
    """Tags with a public post, most used first: (name, slug, how many public posts)."""
    return (
        public_under()
        .exclude(tag=None)
        .exclude(tag__slug="")  # taggit slugs "!!!" as "": such a tag has no page or feed
        .values(name=F("tag__name"), slug=F("tag__slug"))
        .annotate(posts=Count("post_id"))
        .order_by("-posts", "name")
    )


class SubscribeView(PageMetaMixin, TemplateView):
    template_name = "blog/subscribe.html"

    def get_page_title(self):
        return "Subscribe"

    def get_page_description(self):
        return (
            f"Follow {settings.BYLINE_SITE_NAME} in a feed reader: the whole site, a topic, "
            "a tag or an author."
        )

    def get_breadcrumbs(self):
        return [("Home", fixed_url("blog:post_list")), ("Subscribe", self.request.path)]

    def get_context_data(self, **kwargs):
        tags = list(used_tags()[: MOST_USED_TAGS + 1])
        authors = public_authors().only(
            "username", "display_name", "first_name", "last_name", "slug"
        )
        return super().get_context_data(
            site_feeds=[
                feed_pair(self.request, settings.BYLINE_SITE_NAME, "blog:feed", "blog:feed_atom")
            ],
            home_address=self.request.build_absolute_uri(fixed_url("blog:post_list")),
            topic_feeds=[
                feed_pair(
                    self.request, topic.name, "blog:topic_feed", "blog:topic_feed_atom", topic.slug
                )
                for topic in Topic.objects.only("name", "slug")
            ],
            tag_feeds=tag_feeds(self.request, tags[:MOST_USED_TAGS]),
            more_tags=len(tags) > MOST_USED_TAGS,
            author_feeds=[
                feed_pair(
                    self.request,
                    author.name,
                    "blog:author_feed",
                    "blog:author_feed_atom",
                    author.slug,
                )
                for author in authors.order_by(*get_user_model()._meta.ordering)
            ],
            copy_script_url=_copy_script_url(),
            **kwargs,
        )


class TagFeedsView(PageMetaMixin, ListView):
    """Every tag with a public post, by name, each with its feeds."""

    template_name = "blog/subscribe_tags.html"
    paginate_by = TAGS_PER_PAGE
    context_object_name = "tags"

    def get_queryset(self):
        return used_tags().order_by("name")

    def get_page_title(self):
        return "Follow a tag"

    def get_page_description(self):
        return f"The feed of every tag on {settings.BYLINE_SITE_NAME}, to follow in a reader."

    def get_breadcrumbs(self):
        return [
            ("Home", fixed_url("blog:post_list")),
            ("Subscribe", fixed_url("blog:subscribe")),
            ("Tags", self.request.path),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tag_feeds"] = tag_feeds(self.request, context["tags"])
        context["copy_script_url"] = _copy_script_url()
        return context


def _copy_script_url():
    return static_url("js/copy_address.js")
