from django.urls import path

from . import views

app_name = "readings"

urlpatterns = [
    path("", views.library, name="library"),
    path("<slug:slug>/", views.preview, name="preview"),
    path("<slug:slug>/publish/", views.publish, name="publish"),
    path("<slug:slug>/delete/", views.delete, name="delete"),
    path("<slug:slug>/read/", views.read, name="read"),
]
