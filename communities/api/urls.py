from django.urls import path

from . import views

app_name = "communities_api"

C = "communities/<str:key>"

urlpatterns = [
    path("communities", views.CommunityListView.as_view(), name="list"),
    path("communities/featured", views.FeaturedListView.as_view(), name="featured"),
    path("user/communities", views.UserCommunitiesView.as_view(), name="user_communities"),
    path(C, views.CommunityView.as_view(), name="community"),
    path(f"{C}/rename", views.RenameView.as_view(), name="rename"),
    path(f"{C}/logo", views.LogoView.as_view(), name="logo"),
    path(f"{C}/members", views.MembersView.as_view(), name="members"),
    path(f"{C}/members/public", views.PublicMembersView.as_view(), name="public_members"),
    path(f"{C}/records", views.CommunityRecordsView.as_view(), name="records"),
    path(f"{C}/featured", views.CommunityFeaturedView.as_view(), name="community_featured"),
    path(f"{C}/featured/<uuid:featured_id>", views.FeaturedEntryView.as_view(), name="featured_entry"),
]
