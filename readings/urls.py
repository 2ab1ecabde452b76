from django.urls import path

from . import views

app_name = "readings"

urlpatterns = [
    path("", views.library, name="library"),
    path("uploads/<int:upload_id>/", views.upload_status, name="upload"),
    path("<slug:slug>/", views.preview, name="preview"),
    path("<slug:slug>/publish/", views.publish, name="publish"),
    path("<slug:slug>/delete/", views.delete, name="delete"),
    path("<slug:slug>/read/", views.read, name="read"),
    path("<slug:slug>/revise/", views.revise, name="revise"),
    path("<slug:slug>/revisions/", views.revisions, name="revisions"),
    path("<slug:slug>/revisions/<int:number>/", views.revision, name="revision"),
    path(
        "<slug:slug>/revisions/<int:number>/publish/",
        views.publish_revision,
        name="publish_revision",
    ),
    path(
        "<slug:slug>/revisions/<int:number>/discard/",
        views.discard_revision,
        name="discard_revision",
    ),
]
