from django.urls import path

from blog import views

app_name = "blog"

urlpatterns = [
    path("", views.PostListView.as_view(), name="post_list"),
    path("posts/<slug:slug>/", views.PostDetailView.as_view(), name="post_detail"),
    path("tags/<slug:slug>/", views.TaggedPostListView.as_view(), name="tag_detail"),
    path("topics/<slug:slug>/", views.TopicPostListView.as_view(), name="topic_detail"),
    path("authors/<slug:slug>/", views.AuthorPostListView.as_view(), name="author_detail"),
]
