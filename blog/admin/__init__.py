"""The admin: posts (workflow, revisions, previews, imports), topics and tags, records of old
addresses and state changes, sponsored content and its click report. Importing each module
registers its models."""

from blog.admin import golive, images, posts, records, reports, sponsored, taxonomy

__all__ = ["golive", "images", "posts", "records", "reports", "sponsored", "taxonomy"]
