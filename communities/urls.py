from django.urls import path

from . import views

app_name = "communities"

C = "communities/<str:slug>"

urlpatterns = [
    path("communities", views.community_list, name="list"),
    path("communities/new", views.community_new, name="new"),
    path(C, views.community_detail, name="detail"),
    path(f"{C}/logo", views.community_logo, name="logo"),
    path(f"{C}/members", views.community_members, name="members"),
    path(f"{C}/members/add-group", views.member_add_group, name="member_add_group"),
    path(f"{C}/members/<uuid:member_id>", views.member_update, name="member_update"),
    path(f"{C}/members/<uuid:member_id>/remove", views.member_remove, name="member_remove"),
    path(f"{C}/settings", views.community_settings, name="settings"),
]
