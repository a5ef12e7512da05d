"""The admin: posts (workflow, revisions, previews, imports), topics and tags, records of old
addresses and state changes, and the sponsored-link click report. Importing each module
registers its models."""

from blog.admin import posts, records, reports, taxonomy

__all__ = ["posts", "records", "reports", "taxonomy"]
