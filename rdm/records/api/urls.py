from django.urls import path

from . import views

app_name = "records_api"

R = "records/<str:pid>"

urlpatterns = [
    path("records", views.RecordListView.as_view(), name="list"),
    path("user/records", views.UserRecordsView.as_view(), name="user_records"),
    path(R, views.RecordView.as_view(), name="record"),
    path(f"{R}/draft", views.DraftView.as_view(), name="draft"),
    path(f"{R}/draft/actions/publish", views.PublishView.as_view(), name="publish"),
    path(f"{R}/draft/actions/files-import", views.FilesImportView.as_view(), name="files_import"),
    path(f"{R}/draft/files", views.DraftFilesView.as_view(), name="draft_files"),
    path(f"{R}/draft/files/<str:key>", views.DraftFileView.as_view(), name="draft_file"),
    path(
        f"{R}/draft/files/<str:key>/content", views.DraftFileContentView.as_view(), name="draft_file_content",
    ),
    path(f"{R}/draft/files/<str:key>/commit", views.DraftFileCommitView.as_view(), name="draft_file_commit"),
    path(f"{R}/versions", views.VersionsView.as_view(), name="versions"),
    path(f"{R}/versions/latest", views.LatestVersionView.as_view(), name="latest"),
    path(f"{R}/files", views.RecordFilesView.as_view(), name="files"),
    path(f"{R}/files/<str:key>", views.RecordFileView.as_view(), name="file"),
    path(f"{R}/files/<str:key>/content", views.RecordFileContentView.as_view(), name="file_content"),
]
