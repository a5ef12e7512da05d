from django.contrib.auth import get_user_model
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Greatest
from django.urls import reverse
from taggit.models import Tag

from blog.models import Post, Topic


class PostSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return (
            Post.objects.published()
            .filter(noindex=False, canonical_url="")
            .annotate(changed=Greatest("updated_at", "publish_at"))
            .only("kind", "slug", "updated_at", "publish_at")
        )

    def lastmod(self, post):
        return post.changed


class PageSitemap(PostSitemap):
    """Standalone pages (About, Contact…): in the sitemap, though in no list or feed."""

    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return (
            Post.objects.pages()
            .public()
            .filter(noindex=False, canonical_url="")
            .annotate(changed=Greatest("updated_at", "publish_at"))
            .only("kind", "slug", "updated_at", "publish_at")
            .order_by("title", "pk")
        )


class ListingSitemap(Sitemap):
    """Pages that list published posts: a page exists only while it lists something."""

    changefreq = "daily"
    priority = 0.5
    posts_lookup = ""

    def items(self):
        published = Post.objects.published().filter(noindex=False)
        return (
            self.model.objects.filter(**{f"{self.posts_lookup}__in": published})
            .annotate(changed=Max(Greatest(f"{self.posts_lookup}__updated_at",
                                           f"{self.posts_lookup}__publish_at")))
            .order_by("pk")
        )  # fmt: skip

    def lastmod(self, item):
        return item.changed


class TagSitemap(ListingSitemap):
    model = Tag
    posts_lookup = "post"

    def items(self):
        return super().items().exclude(slug="")  # taggit slugs "!!!" to "": it has no page

    def location(self, tag):
        return reverse("blog:tag_detail", kwargs={"slug": tag.slug})


class TopicSitemap(ListingSitemap):
    model = Topic
    posts_lookup = "posts"


class AuthorSitemap(ListingSitemap):
    model = get_user_model()
    posts_lookup = "posts"


class HomeSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["blog:post_list"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return Post.objects.published().latest_publish_time()


class SubscribeSitemap(Sitemap):
    """The subscribe page: what it lists changes with the topics, tags and authors."""

    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return ["blog:subscribe"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return Post.objects.published().latest_publish_time()


SITEMAPS = {
    "home": HomeSitemap,
    "posts": PostSitemap,
    "pages": PageSitemap,
    "topics": TopicSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "subscribe": SubscribeSitemap,
}
