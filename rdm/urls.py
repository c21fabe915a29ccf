"""URL map. Each app defines its own page paths (included at the root) and API paths (under /api/)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

API_APPS = ["accounts", "vocabularies", "rdm.records", "rdm.search", "communities", "requests_app", "oaipmh"]
PAGE_APPS = ["accounts", "vocabularies", "rdm.records", "rdm.search", "communities", "requests_app", "oaipmh"]

urlpatterns = [
    path("", views.front_page, name="front_page"),
    path("admin/", admin.site.urls),
    path("account/", include("allauth.urls")),
    path("api/schema", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
urlpatterns += [path("api/", include(f"{app}.api.urls")) for app in API_APPS]
urlpatterns += [path("", include(f"{app}.urls")) for app in PAGE_APPS]

# Uploaded files are never served from MEDIA_ROOT directly: every download goes through a view that
# checks permission (record files, community logos).
