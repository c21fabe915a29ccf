from django.urls import path

from . import views

app_name = "accounts_api"

urlpatterns = [
    path("me", views.CurrentUser.as_view(), name="me"),
    path("users", views.UserSearch.as_view(), name="users"),
    path("users/<int:user_id>", views.UserDetail.as_view(), name="user"),
    path("users/<int:user_id>/avatar.svg", views.UserAvatar.as_view(), name="user_avatar"),
    path("groups/<str:group_id>/avatar.svg", views.GroupAvatar.as_view(), name="group_avatar"),
]
