from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from blog.models import FAQ, Post, PostSlugRedirect, Reference, Topic


class PublishedPostsMixin:
    """Public views see published posts only, with what their templates need prefetched."""

    def get_queryset(self):
        return Post.objects.published().for_display()


class PostListView(PublishedPostsMixin, ListView):
    template_name = "blog/post_list.html"
    context_object_name = "posts"
    paginate_by = settings.BYLINE_POSTS_PER_PAGE


class PostDetailView(PublishedPostsMixin, DetailView):
    context_object_name = "post"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("faqs", queryset=FAQ.objects.order_by("order", "pk")),
                Prefetch("references", queryset=Reference.objects.order_by("order", "pk")),
            )
        )

    def get_context_data(self, **kwargs):
        canonical_url = self.object.canonical_url or self.request.build_absolute_uri(
            self.object.get_absolute_url()
        )
        return super().get_context_data(canonical_url=canonical_url, **kwargs)

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = PostSlugRedirect.objects.filter(
                old_slug=kwargs["slug"], post__in=Post.objects.published()
            ).select_related("post")
            if moved_to := moved.first():
                return redirect(moved_to.post, permanent=True)
            raise


class TaggedPostListView(PostListView):
    template_name = "blog/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class TopicPostListView(PostListView):
    template_name = "blog/topic_detail.html"

    def get_queryset(self):
        self.topic = get_object_or_404(Topic, slug=self.kwargs["slug"])
        return super().get_queryset().filter(topics=self.topic)

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)


class AuthorPostListView(PostListView):
    template_name = "blog/author_detail.html"

    def get_queryset(self):
        # Only people with public posts have a public page: staff accounts stay unlisted.
        authors = get_user_model().objects.filter(posts__in=Post.objects.published()).distinct()
        self.author = get_object_or_404(authors, slug=self.kwargs["slug"])
        return super().get_queryset().by_author(self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)
