"""Byline's content: posts, what hangs off them, their history, topics and tags."""

from blog.models.demo import DemoPost
from blog.models.editing import EditorDraft, EditorPresence
from blog.models.golive import Delivery, Event, WebhookEndpoint
from blog.models.history import Revision, StateChange
from blog.models.imports import ImportJob
from blog.models.media import Image, ImageQuerySet, ImageUse
from blog.models.menus import Menu, MenuItem
from blog.models.notes import EditorialNote
from blog.models.pages import Page
from blog.models.parts import FAQ, PostAuthor, PostSlugRedirect, Reference, Topic
from blog.models.passages import Passage
from blog.models.post import Post, PostQuerySet
from blog.models.redirects import NotFoundPath, Redirect
from blog.models.search_entries import SearchEntry
from blog.models.sponsored import (
    AffiliateNetwork,
    AffiliateRule,
    LinkClicks,
    SiteSettings,
    SponsoredLink,
    SponsoredLinkUse,
)
from blog.models.stored import Listing
from blog.models.tags import merge_tags, public_authors, public_tags, retagged, visible_tags
from blog.models.waiting import WaitingRelatedLink

__all__ = [
    "AffiliateNetwork",
    "AffiliateRule",
    "LinkClicks",
    "SiteSettings",
    "SponsoredLink",
    "SponsoredLinkUse",
    "Delivery",
    "DemoPost",
    "EditorDraft",
    "EditorialNote",
    "EditorPresence",
    "Event",
    "FAQ",
    "Passage",
    "Image",
    "ImageQuerySet",
    "ImageUse",
    "ImportJob",
    "Page",
    "Listing",
    "NotFoundPath",
    "Menu",
    "MenuItem",
    "Post",
    "PostAuthor",
    "PostQuerySet",
    "PostSlugRedirect",
    "Redirect",
    "Reference",
    "Revision",
    "SearchEntry",
    "StateChange",
    "Topic",
    "WaitingRelatedLink",
    "WebhookEndpoint",
    "merge_tags",
    "public_authors",
    "public_tags",
    "retagged",
    "visible_tags",
]
