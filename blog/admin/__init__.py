"""The admin: posts (workflow, revisions, previews, imports), topics and tags, records of old
addresses and state changes, sponsored content and its click report. Importing each module
registers its models."""

from blog.admin import posts, records, reports, sponsored, taxonomy

__all__ = ["posts", "records", "reports", "sponsored", "taxonomy"]
