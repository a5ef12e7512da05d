from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import User
from blog.models import FAQ, Image, Post, PostAuthor, Reference, SponsoredLink, Topic
from tests.helpers import image_bytes, upload


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"writer{n}")
    display_name = factory.Sequence(lambda n: f"Writer Number {n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    bio = "Writes about *things*."
    password = factory.django.Password("pass-word-123")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda topic: topic.name.lower().replace(" ", "-"))


class PostFactory(factory.django.DjangoModelFactory):
    """A published post, one day old, by one author. Pass `authors=[...]`, `tags=[...]`."""

    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"A post worth reading, part {n}")
    description = "What the post is about, in a sentence."
    body = "## First section\n\nSome words to read, with [a source](https://example.org/)."
    status = Post.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create:
            _add_authors(self, extracted or [UserFactory()])

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.add(*extracted)


class PageFactory(PostFactory):
    """A published standalone page (at /<slug>/), by one author (who may edit it)."""

    kind = Post.Kind.PAGE
    title = factory.Sequence(lambda n: f"About the site, part {n}")
    slug = factory.Sequence(lambda n: f"about-the-site-{n}")
    description = "Who we are and what we do here."
    body = "## Who we are\n\nA small team that writes **useful** things."


class ImageFactory(factory.django.DjangoModelFactory):
    """A library image, made as every one is (create_from_upload). Pass `upload=png(w, h)`."""

    class Meta:
        model = Image

    upload = factory.LazyFunction(
        lambda: upload("a-photo.png", image_bytes("PNG", (640, 480)), "image/png")
    )
    uploaded_by = factory.SubFactory(UserFactory)
    alt_text = "A described picture"

    @classmethod
    def _create(cls, model_class, *args, upload, uploaded_by, **fields):
        return model_class.objects.create_from_upload(upload, user=uploaded_by, **fields)


def _add_authors(post, users):
    for order, user in enumerate(users, start=1):
        PostAuthor.objects.create(post=post, author=user, order=order)


class FAQFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FAQ

    post = factory.SubFactory(PostFactory)
    question = factory.Sequence(lambda n: f"Question number {n}?")
    answer = "An answer with **emphasis**."
    order = factory.Sequence(lambda n: n)


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    post = factory.SubFactory(PostFactory)
    title = factory.Sequence(lambda n: f"A study, volume {n}")
    publisher = "Example Press"
    year = 2021
    url = factory.Sequence(lambda n: f"https://example.org/study/{n}")
    order = factory.Sequence(lambda n: n)


class FullPostFactory(PostFactory):
    """A post with every part a post has: two co-authors in byline order, two tags, a topic, two
    FAQs and two references. Each can be given: `authors`, `tags` and `topics` as for PostFactory,
    `faqs` and `references` as a number or as a list of fields, one dict each. An empty list
    leaves that part out."""

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create:
            _add_authors(self, UserFactory.create_batch(2) if extracted is None else extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create:
            self.tags.add(*(["compost", "soil"] if extracted is None else extracted))

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create:
            self.topics.add(*([TopicFactory()] if extracted is None else extracted))

    @factory.post_generation
    def faqs(self, create, extracted, **kwargs):
        if create:
            _add_parts(FAQFactory, self, 2 if extracted is None else extracted)

    @factory.post_generation
    def references(self, create, extracted, **kwargs):
        if create:
            _add_parts(ReferenceFactory, self, 2 if extracted is None else extracted)


def _add_parts(part_factory, post, parts):
    for fields in [{}] * parts if isinstance(parts, int) else parts:
        part_factory(post=post, **fields)


class SponsoredLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SponsoredLink
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Offer {n}")
    slug = factory.Sequence(lambda n: f"offer-{n}")
    destination = factory.LazyAttribute(lambda link: f"https://shop.example.com/{link.slug}?aff=7")
