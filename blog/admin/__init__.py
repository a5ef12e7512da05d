"""The admin: posts (workflow, revisions, previews, imports), topics and tags, records of old
addresses and state changes, and sponsored content. Importing each module registers its
models."""

from blog.admin import posts, records, sponsored, taxonomy

__all__ = ["posts", "records", "sponsored", "taxonomy"]
