from django.urls import path

from . import views

app_name = "vocabularies_api"

urlpatterns = [
    path("vocabularies/<str:vocabulary>", views.list_vocabulary, name="list"),
    path("vocabularies/<str:vocabulary>/<str:entry_id>", views.read_entry, name="entry"),
]
