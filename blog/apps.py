from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Publishing"

    def ready(self):
        from django.contrib.auth import get_user_model
        from taggit.models import Tag, TaggedItem

        from blog.caching import bump_content_generation
        from blog.models import FAQ, Post, PostAuthor, PostSlugRedirect, Reference, Topic

        # Anything a public page shows: a change to one of these makes every cached page stale.
        for model in (
            Post, FAQ, Reference, Topic, PostAuthor, PostSlugRedirect, Tag, TaggedItem,
            get_user_model(),
        ):  # fmt: skip
            post_save.connect(bump_content_generation, sender=model, dispatch_uid=f"bump-{model}")
            post_delete.connect(bump_content_generation, sender=model, dispatch_uid=f"del-{model}")
        m2m_changed.connect(
            bump_content_generation, sender=Post.topics.through, dispatch_uid="bump-topics"
        )
