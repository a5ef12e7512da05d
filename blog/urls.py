from django.contrib.sitemaps.views import sitemap
from django.urls import path, register_converter

from blog import feeds, go, health, ical, subscribe, views
from blog.caching import public_page
from blog.ratelimit import rate_limited
from blog.sitemaps import SITEMAPS


class UnicodeSlugConverter:
    """Slugs as django-taggit makes them, which keep letters like é or 日本."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class YearConverter:
    """Four digits: one spelling per archive page, so `/archive/02025/` is no second page."""

    regex = r"[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class MonthConverter(YearConverter):
    regex = r"0[1-9]|1[0-2]"

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(UnicodeSlugConverter, "uslug")
register_converter(YearConverter, "year")
register_converter(MonthConverter, "month")
# The query parameters that select what a list shows; pages are cached only with these.
LIST = ("page",)

app_name = "blog"

urlpatterns = [
    path("", public_page(views.HomeView.as_view(), LIST), name="post_list"),
    path("posts/<slug:slug>/", public_page(views.PostDetailView.as_view()), name="post_detail"),
    path(
        "archive/<year:year>/",
        public_page(views.PostYearArchiveView.as_view(), LIST),
        name="archive_year",
    ),
    path(
        "archive/<year:year>/<month:month>/",
        public_page(views.PostMonthArchiveView.as_view(), LIST),
        name="archive_month",
    ),
    # Only searches the page cache cannot answer count against the limit.
    path(
        "search/",
        public_page(
            rate_limited("search")(views.SearchView.as_view()), ("q", "page"), budgeted=True
        ),
        name="search",
    ),
    path("preview/<str:token>/", views.PostPreviewView.as_view(), name="preview"),
    # Each editor's own calendar feed, at a signed address: calendar apps cannot log in.
    path("calendar/<str:token>.ics", ical.calendar_feed, name="calendar_feed"),
    # Counted on every request: never public_page(), so the page cache never answers it.
    path("go/<slug:slug>/", go.go, name="go"),
    path("subscribe/", public_page(subscribe.SubscribeView.as_view()), name="subscribe"),
    path(
        "subscribe/tags/",
        public_page(subscribe.TagFeedsView.as_view(), LIST),
        name="subscribe_tags",
    ),
    path("feed/", public_page(feeds.LatestPostsFeed.as_view()), name="feed"),
    path("feed/atom/", public_page(feeds.LatestPostsAtomFeed.as_view()), name="feed_atom"),
    # Each tag, topic and author: its posts, and their feeds.
    path(
        "tags/<uslug:slug>/",
        public_page(views.TaggedPostListView.as_view(), LIST),
        name="tag_detail",
    ),
    path("tags/<uslug:slug>/feed/", public_page(feeds.TagFeed.as_view()), name="tag_feed"),
    path(
        "tags/<uslug:slug>/feed/atom/",
        public_page(feeds.TagAtomFeed.as_view()),
        name="tag_feed_atom",
    ),
    path(
        "topics/<uslug:slug>/",
        public_page(views.TopicPostListView.as_view(), LIST),
        name="topic_detail",
    ),
    path("topics/<uslug:slug>/feed/", public_page(feeds.TopicFeed.as_view()), name="topic_feed"),
    path(
        "topics/<uslug:slug>/feed/atom/",
        public_page(feeds.TopicAtomFeed.as_view()),
        name="topic_feed_atom",
    ),
    path(
        "authors/<uslug:slug>/",
        public_page(views.AuthorPostListView.as_view(), LIST),
        name="author_detail",
    ),
    path("authors/<uslug:slug>/feed/", public_page(feeds.AuthorFeed.as_view()), name="author_feed"),
    path(
        "authors/<uslug:slug>/feed/atom/",
        public_page(feeds.AuthorAtomFeed.as_view()),
        name="author_feed_atom",
    ),
    # Keep last: a standalone page takes any first segment no pattern of the site has, and a
    # page's slug may be none of those (blog/models/pages.py reads them from the URLconf).
    path("<slug:slug>/", public_page(views.PageDetailView.as_view()), name="page_detail"),
]

site_urlpatterns = [
    path("feed.xsl", public_page(feeds.feed_stylesheet), name="feed_stylesheet"),
    path("sitemap.xml", public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", public_page(views.robots_txt), name="robots_txt"),
    path("healthz", health.healthz, name="healthz"),
]
