from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_delete,
    pre_save,
)
from taggit.apps import TaggitAppConfig


class BlogConfig(AppConfig):
    default = True  # this module also holds TagsConfig
    name = "blog"
    verbose_name = "Publishing"

    def ready(self):
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from PIL import Image
        from taggit.models import Tag, TaggedItem

        import config.checks  # noqa: F401 - registers the project's system checks
        from blog import caching, disclosure, golive, menus, sponsored
        from blog.affiliates import seed_networks
        from blog.models import (
            FAQ,
            AffiliateNetwork,
            AffiliateRule,
            Menu,
            MenuItem,
            Page,
            Post,
            PostAuthor,
            PostSlugRedirect,
            Reference,
            SiteSettings,
            SponsoredLink,
            Topic,
            stored,
        )

        # Pillow itself refuses over twice this many pixels, wherever it allocates: a later GIF
        # frame can grow the canvas after blog/uploads.py checked the header against 1×.
        Image.MAX_IMAGE_PIXELS = settings.BYLINE_UPLOAD_MAX_PIXELS

        post_migrate.connect(seed_networks, sender=self, dispatch_uid="blog.seed_networks")

        # What invalidates the public page cache (see blog/caching.py).
        def connect(signal, receiver, sender):
            signal.connect(receiver, sender=sender, dispatch_uid=f"{receiver.__name__}-{sender}")

        # A page is a Post row, saved as the Page proxy by its admin: signals name the proxy.
        for model in (Post, Page):
            for signal in (pre_save, pre_delete):
                connect(signal, caching.remember_visibility, model)
            for signal in (post_save, post_delete):
                connect(signal, caching.post_changed, model)
            # A public post deleted: the go-live outbox tells the world (blog/golive.py).
            connect(pre_delete, golive.post_deleting, model)
        for signal in (post_save, post_delete):
            for part in (FAQ, Reference, PostAuthor, PostSlugRedirect, TaggedItem):
                connect(signal, caching.post_part_changed, part)
            for model in (Topic, Tag, AffiliateNetwork, AffiliateRule, SponsoredLink, SiteSettings):
                connect(signal, caching.bump_content_generation, model)
            for model in (Menu, MenuItem):  # every page shows the menus (blog/menus.py)
                connect(signal, caching.bump_content_generation, model)
            connect(signal, disclosure.forget_site_disclosure, SiteSettings)
            connect(signal, caching.profile_changed, get_user_model())
        connect(m2m_changed, caching.topics_changed, Post.topics.through)
        # What keeps the menus every page shows right (see blog/menus.py). After the receivers
        # above: the content generation moves on commit before the menus are stored again
        # (except for a post saved with its history, whose batch moves it after this receiver
        # ran: with caches per process, such a save makes this process read the menus once
        # more).
        for signal in (post_save, post_delete):
            for model in (Menu, MenuItem, Topic, Post, Tag, TaggedItem, PostAuthor):
                connect(signal, menus.menus_changed, model)
            connect(signal, menus.menus_changed, get_user_model())
        # What keeps the blocks stored on posts, and their listings, right (see
        # blog/models/stored.py).
        for signal in (post_save, post_delete):
            for part in (FAQ, Reference, PostAuthor):
                connect(signal, stored.part_changed, part)
        for through in (Post.tags.through, Post.topics.through, Post.authors.through):
            connect(m2m_changed, stored.posts_regrouped, through)
        for group in (Tag, Topic):
            connect(post_save, stored.group_saved, group)
            connect(pre_delete, stored.group_deleting, group)
            connect(post_delete, stored.group_deleted, group)
        connect(post_save, stored.profile_saved, get_user_model())
        # Posts rendered again when what makes a link sponsored changes (see blog/sponsored.py).
        for model in (AffiliateRule, SponsoredLink):
            connect(pre_save, sponsored.remember_before, model)
        for signal in (post_save, post_delete):
            connect(signal, sponsored.rule_changed, AffiliateRule)
        connect(post_save, sponsored.network_changed, AffiliateNetwork)
        connect(post_save, sponsored.link_changed, SponsoredLink)
        connect(post_delete, sponsored.link_deleted, SponsoredLink)
        # Who bypasses the page cache (see blog/caching.py).
        connect(user_logged_in, caching.note_login, None)
        connect(user_logged_out, caching.note_logout, None)


class TagsConfig(TaggitAppConfig):
    """django-taggit, named for editors in the admin."""

    verbose_name = "Tags"
