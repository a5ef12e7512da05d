"""The admin: posts (workflow, revisions, previews, imports), topics and tags, and records of
old addresses and state changes. Importing each module registers its models."""

from blog.admin import posts, records, taxonomy

__all__ = ["posts", "records", "taxonomy"]
