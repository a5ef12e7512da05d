from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.decorators import method_decorator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, MonthArchiveView, YearArchiveView
from taggit.models import Tag

from blog import seo
from blog.disclosure import disclose, disclose_on_page
from blog.fragments import cards, page_fragments, page_of_cards
from blog.memo import VersionMemo
from blog.models import Post, PostSlugRedirect, Topic
from blog.models.cards import PublicCards, SearchCards
from blog.models.stored import byline_entry
from blog.pagination import SearchPaginator, UncountedPaginator
from blog.preview import post_lookup_for
from blog.ratelimit import rate_limited
from blog.render_limits import MarkdownRefused
from blog.rendering import plain_text, render_markdown, web_url
from blog.search import (
    MAX_QUERY_LENGTH,
    SEARCH_CANDIDATES,
    search_terms,
)
from blog.seo import PageMetaMixin, fixed_url, slug_url


class ListingMixin:
    """Public lists show published posts only, as cards: the columns a card shows (its byline
    and tags stored on the post, so no query per post or per relation), not bodies."""

    paginator_class = UncountedPaginator  # no count of the whole list: see blog/pagination.py
    leads = False  # whether the first page leads with its newest post, shown larger

    def get_queryset(self):
        return Post.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        lead = self.leads and (page is None or page.number == 1)
        shown = page_of_cards(self.get_cards(context["posts"]), lead=lead)
        # Stored HTML, joined here: a template loop over twenty cards cost 40 µs more.
        grid = mark_safe("\n  ".join(map(conditional_escape, shown)))  # as {{ card }} would
        return {**context, "cards": shown, "grid": grid, "lead": lead}

    def get_cards(self, posts):
        return cards(posts)


class BasePostListView(PageMetaMixin, ListingMixin, ListView):
    template_name = "blog/post_list.html"
    context_object_name = "posts"
    paginate_by = settings.BYLINE_POSTS_PER_PAGE
    heading = "Latest posts"

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.heading, **kwargs)


class HomeView(BasePostListView):
    leads = True

    def get_queryset(self):
        return PublicCards()

    def get_structured_data(self):
        return [seo.website(self.request)]


class PostDetailView(PageMetaMixin, DetailView):
    """A post; or a page, which the same view shows (a preview is of either) without what
    only posts have: byline, topics, FAQs, references and related posts."""

    context_object_name = "post"

    def get_queryset(self):
        return Post.objects.published().for_post_page()

    def get_object(self, queryset=None):
        if post := Post.objects.published_post_page(self.kwargs["slug"]):
            return post
        raise Http404("No post here.")

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = PostSlugRedirect.objects.filter(
                old_slug=kwargs["slug"], post__in=self.get_queryset().values("pk")
            ).select_related("post")
            if moved_to := moved.first():
                return redirect(moved_to.post, permanent=True)
            raise

    def is_page(self):
        return self.object.kind == Post.Kind.PAGE

    def get_template_names(self):
        return ["blog/page_detail.html" if self.is_page() else "blog/post_detail.html"]

    @property
    def og_type(self):
        return "website" if self.is_page() else "article"

    def get_page_title(self):
        return self.object.page_title()

    def get_page_description(self):
        return self.object.description or self.object.excerpt[:160]

    def get_canonical_url(self):
        return web_url(self.object.canonical_url) or self.request.build_absolute_uri(
            self.object.get_absolute_url()
        )

    @property
    def noindex(self):
        return self.object.noindex

    def get_breadcrumbs(self):
        crumbs = [("Home", fixed_url("blog:post_list"))]
        if topics := (not self.is_page() and self.object.stored_topics):
            crumbs.append((topics[0]["name"], topics[0]["url"]))
        return [*crumbs, (self.object.title, self.object.get_absolute_url())]

    def get_feeds(self):
        feeds = super().get_feeds()
        if self.is_page():
            return feeds
        for author in self.object.stored_authors:
            if author["slug"]:
                url = slug_url("blog:author_feed", author["slug"])
                feeds.append((f"Posts by {author['name']} (RSS)", url, "application/rss+xml"))
        return feeds

    def get_structured_data(self):
        post = self.object
        if self.is_page():
            data = [seo.web_page(self.request, post, self.get_canonical_url())]
        else:
            data = [seo.blog_posting(self.request, post, self.get_canonical_url())]
        if faqs := post.stored_faqs:
            data.append(seo.faq_page(post, faqs))
        return data + super().get_structured_data()

    def get_parts(self):
        """What the page shows beside the post's own fields: the body with the disclosure
        before its first sponsored link, and for a post its stored top and end (where that
        link may be) and related posts."""
        post = self.object
        if self.is_page():
            (body,) = disclose(post, mark_safe(post.body_html))
            return {"body": body}
        fragments = page_fragments(post)
        body, fragments["footer"], full_disclosure = disclose_on_page(
            post, mark_safe(post.body_html), fragments["footer"]
        )
        topic = post.stored_topics[0]["slug"] if post.stored_topics else ""
        return {
            **fragments,
            "body": body,
            "full_disclosure": full_disclosure,
            "related_posts": post.related_posts(),
            "topic_feed_url": topic and slug_url("blog:topic_feed", topic),
        }

    def get_context_data(self, **kwargs):
        post = self.object
        return super().get_context_data(
            **self.get_parts(),
            featured_image_url=(
                self.request.build_absolute_uri(post.featured_image.url)
                if post.featured_image_id
                else ""
            ),
            **kwargs,
        )


class PageDetailView(PostDetailView):
    """A standalone page at /<slug>/ (About, Contact, Privacy): public pages only, as posts
    are only at /posts/<slug>/."""

    def get_queryset(self):
        return Post.objects.pages().public().for_post_page()

    def get_object(self, queryset=None):
        return DetailView.get_object(self, queryset)  # with the ORM: not the posts' lookup


@method_decorator(never_cache, name="dispatch")
class PostPreviewView(PostDetailView):
    """An unpublished post as readers will see it: marked as a preview, never indexed or
    cached. Reached with a signed link, or from the admin (which passes `preview_post`)."""

    preview_post = None
    noindex = True

    def get(self, request, *args, **kwargs):
        if self.preview_post is None:
            lookup = post_lookup_for(kwargs["token"])
            if lookup is None:
                raise Http404("This preview link is not valid or has expired.")
            self.preview_post = get_object_or_404(
                Post.objects.exclude(status=Post.Status.ARCHIVED), **lookup
            )
            if self.preview_post.is_published():
                return redirect(self.preview_post)
        self.object = self.get_queryset().get(pk=self.preview_post.pk)
        response = self.render_to_response(self.get_context_data(object=self.object))
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_queryset(self):
        return Post.objects.for_post_page()  # any status: the link or the admin vouches for it

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)


# Tags, topics and authors found by slug for their pages: each change to one moves the content
# generation (blog/apps.py), so a page need not read it again until then.
_scopes = VersionMemo()


def scope_by_slug(model, slug):
    """get_object_or_404(model, slug=slug), remembered for the current content generation (an
    unknown slug is not)."""
    return _scopes.get((model, slug), lambda key: get_object_or_404(key[0], slug=key[1]))


class ScopedPostListView(BasePostListView):
    """A list of the posts of one tag, topic or author, with its own feeds."""

    scope_name = ""  # "tag", "topic" or "author"
    feed_url_names = ("", "")  # its RSS and Atom feeds
    # A tag or author without a published post is unknown (404), found out from its first
    # page rather than by a query of its own.
    unknown_without_posts = True

    def get_scope(self):
        raise NotImplementedError

    def get_queryset(self):
        self.scope = self.get_scope()
        return PublicCards(**{self.scope_name: self.scope})

    def get_paginator(self, *args, **kwargs):
        if self.unknown_without_posts:
            kwargs["allow_empty_first_page"] = False
        return super().get_paginator(*args, **kwargs)

    def get_feeds(self):
        feeds = super().get_feeds()
        rss, atom = (slug_url(name, self.scope.slug) for name in self.feed_url_names)
        return [
            (f"{self.heading} (RSS)", rss, "application/rss+xml"),
            (f"{self.heading} (Atom)", atom, "application/atom+xml"),
            *feeds,
        ]

    def get_breadcrumbs(self):
        return [("Home", fixed_url("blog:post_list")), (self.heading, self.request.path)]

    def get_page_title(self):
        return self.heading

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{self.scope_name: self.scope}, **kwargs)


class TaggedPostListView(ScopedPostListView):
    scope_name = "tag"
    feed_url_names = ("blog:tag_feed", "blog:tag_feed_atom")

    def get_scope(self):
        tag = scope_by_slug(Tag, self.kwargs["slug"])
        self.heading = f"Posts tagged “{tag.name}”"
        return tag

    def get_page_description(self):
        return f"Posts tagged “{self.scope.name}” on {settings.BYLINE_SITE_NAME}."


class TopicPostListView(ScopedPostListView):
    scope_name = "topic"
    unknown_without_posts = False  # topics are the site's sections, shown even when empty
    feed_url_names = ("blog:topic_feed", "blog:topic_feed_atom")

    def get_scope(self):
        topic = scope_by_slug(Topic, self.kwargs["slug"])
        self.heading = topic.name
        return topic

    def get_page_description(self):
        return self.scope.description or f"Posts about {self.scope.name}."


class AuthorPostListView(ScopedPostListView):
    template_name = "blog/author_detail.html"
    scope_name = "author"
    feed_url_names = ("blog:author_feed", "blog:author_feed_atom")
    og_type = "profile"

    def get_scope(self):
        author = scope_by_slug(get_user_model(), self.kwargs["slug"])
        self.heading = author.name
        return author

    def get_page_description(self):
        return plain_text(self.scope.bio_html)[:160] or f"Posts by {self.scope.name}."

    def get_structured_data(self):
        profile = {
            "@context": "https://schema.org",
            "@type": "ProfilePage",
            "mainEntity": seo.person(self.request, byline_entry(self.scope)),
        }
        return [profile, *super().get_structured_data()]


class ArchiveMixin(PageMetaMixin, ListingMixin):
    date_field = "publish_at"
    make_object_list = True
    allow_empty = False
    paginate_by = settings.BYLINE_POSTS_PER_PAGE
    context_object_name = "posts"
    template_name = "blog/post_archive.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.get_page_title(), **kwargs)

    def get_dated_queryset(self, **lookup):
        """Django's, without its EXISTS query for an empty period (whose empty date list is a
        404 already, as allow_empty is off) or its filter on the future (published() has it)."""
        return self.get_queryset().filter(**lookup)

    # The pages link to no neighbouring period: no query for them.
    def get_next_year(self, date):
        return None

    def get_previous_year(self, date):
        return None

    def get_next_month(self, date):
        return None

    def get_previous_month(self, date):
        return None


class PostYearArchiveView(ArchiveMixin, YearArchiveView):
    def get_page_title(self):
        return f"Posts from {self.get_year()}"

    def get_breadcrumbs(self):
        year = self.get_year()
        return [("Home", fixed_url("blog:post_list")), (year, self.request.path)]


class PostMonthArchiveView(ArchiveMixin, MonthArchiveView):
    month_format = "%m"

    def _month(self):
        return date(int(self.get_year()), int(self.get_month()), 1)

    def get_page_title(self):
        return f"Posts from {format_date(self._month(), 'F Y')}"

    def get_breadcrumbs(self):
        year = self.get_year()
        return [
            ("Home", fixed_url("blog:post_list")),
            (year, reverse("blog:archive_year", kwargs={"year": year})),
            (format_date(self._month(), "F"), self.request.path),
        ]


class SearchView(PageMetaMixin, ListingMixin, ListView):
    template_name = "blog/search.html"
    context_object_name = "posts"
    paginate_by = settings.BYLINE_POSTS_PER_PAGE
    paginator_class = SearchPaginator
    noindex = True

    def get_queryset(self):
        self.query = self.request.GET.get("q", "").strip()
        self.terms = search_terms(self.query)
        return SearchCards(self.query)

    def get_page_title(self):
        return f"Search: {self.query[:60]}" if self.query else "Search"

    def get_context_data(self, **kwargs):
        # As truncatechars:60 shows it, which cost a twentieth of a search's Python.
        shown = self.query if len(self.query) <= 60 else f"{self.query[:59]}…"
        return super().get_context_data(
            query=self.query,
            shown_query=shown,
            no_match=f"No posts match “{shown}”. Try fewer or different words.",
            terms=self.terms,
            query_too_long=len(self.query) > MAX_QUERY_LENGTH,
            candidates=SEARCH_CANDIDATES,
            **kwargs,
        )

    def get_cards(self, posts):
        """Cards showing the words that matched, from around the first match anywhere in the
        body (so from the whole text, not the excerpt), instead of the description."""
        return cards(posts, [post.snippet for post in posts])


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /search/",
        "Disallow: /go/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_POST
@rate_limited("preview")
def markdown_preview(request):
    """The admin's live preview: markdownx posts the editor's text as `content` and shows
    whatever comes back, error or not, in the preview pane."""
    if "content" not in request.POST:
        return HttpResponseBadRequest(
            "Nothing to preview: the request has no “content” field.", content_type="text/plain"
        )
    try:
        return HttpResponse(render_markdown(request.POST["content"]))
    except MarkdownRefused as refused:
        return HttpResponse(
            format_html('<p class="markdown-refused">Preview not shown. {}</p>', str(refused)),
            status=422,
        )
