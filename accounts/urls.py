from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("account/settings/", views.settings_page, name="settings"),
    path("account/settings/tokens/", views.tokens_page, name="tokens"),
    path("account/settings/tokens/<int:token_id>/revoke", views.revoke_token, name="revoke_token"),
]
