from django.urls import path

from .views import api, exports

app_name = "interop"

urlpatterns = [
    path("g/<slug:slug>/export.jsonld", exports.group_jsonld, name="export_group"),
    path("g/<slug:slug>/import/", exports.import_discussions, name="import_group"),
    path("g/<slug:slug>/r/<slug:reading_slug>/export.md", exports.markdown, name="export_md"),
    path("g/<slug:slug>/r/<slug:reading_slug>/export.csv", exports.table, name="export_csv"),
    path("api/", api.docs, name="api_docs"),
    path("api/schema", api.openapi, name="api_schema"),
    path("api/annotations", api.create, name="api_annotations"),
    path("api/annotations/<int:pk>", api.annotation, name="api_annotation"),
    path("api/annotations/<int:pk>/replies/<int:reply_pk>", api.reply, name="api_reply"),
    path(
        "api/groups/<slug:slug>/readings/<slug:reading_slug>/annotations",
        api.collection,
        name="api_collection",
    ),
]
