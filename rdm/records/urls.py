from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("uploads/new", views.deposit_new, name="deposit_new"),
    path("uploads/<str:pid>", views.deposit_edit, name="deposit_edit"),
    path("uploads/<str:pid>/publish", views.deposit_publish, name="deposit_publish"),
    path("uploads/<str:pid>/delete", views.deposit_delete, name="deposit_delete"),
    path("records/<str:pid>", views.landing, name="landing"),
    path("records/<str:pid>/latest", views.latest, name="latest"),
    path("records/<str:pid>/edit", views.edit, name="edit"),
    path("records/<str:pid>/new-version", views.new_version, name="new_version"),
    path("records/<str:pid>/files/<str:key>", views.file_download, name="file_download"),
    path("records/<str:pid>/export/json", views.export_json, name="export_json"),
    path("me/uploads", views.dashboard, name="dashboard"),
]
