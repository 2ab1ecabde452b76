from django.urls import path

from .views import (
    agenda,
    api,
    exports,
    groups,
    home,
    live,
    meetings,
    members,
    moderation,
    reading,
    syllabus,
    threads,
)

app_name = "discussions"

THREAD = "g/<slug:slug>/r/<slug:reading_slug>/t/<int:thread_id>/"

urlpatterns = [
    path("", home.home, name="home"),
    path("g/new/", groups.create, name="group_create"),
    path("g/<slug:slug>/", groups.group_home, name="group"),
    path("g/<slug:slug>/join/<str:code>/", members.join, name="join"),
    path("g/<slug:slug>/leave/", members.leave, name="leave"),
    path("g/<slug:slug>/members/", members.members, name="members"),
    path("g/<slug:slug>/members/<int:user_id>/role/", members.change_role, name="change_role"),
    path("g/<slug:slug>/members/<int:user_id>/remove/", members.remove, name="remove_member"),
    path("g/<slug:slug>/invite/", members.invite, name="invite"),
    path("g/<slug:slug>/invite/rotate/", members.rotate_link, name="rotate_link"),
    path("g/<slug:slug>/syllabus/", syllabus.assign, name="assign"),
    path("g/<slug:slug>/syllabus/<int:assignment_id>/remove/", syllabus.unassign, name="unassign"),
    path("g/<slug:slug>/moderation/", moderation.moderation, name="moderation"),
    path("g/<slug:slug>/export.jsonld", exports.group_jsonld, name="export_group"),
    path("g/<slug:slug>/import/", exports.import_discussions, name="import_group"),
    path("g/<slug:slug>/r/<slug:reading_slug>/export.md", exports.markdown, name="export_md"),
    path("g/<slug:slug>/r/<slug:reading_slug>/export.csv", exports.table, name="export_csv"),
    path("g/<slug:slug>/r/<slug:reading_slug>/", reading.reading_page, name="reading"),
    path("g/<slug:slug>/r/<slug:reading_slug>/annotate/", reading.annotate, name="annotate"),
    path("g/<slug:slug>/r/<slug:reading_slug>/live/", live.poll, name="live"),
    path("g/<slug:slug>/r/<slug:reading_slug>/agenda/", agenda.agenda, name="agenda"),
    path(
        "g/<slug:slug>/r/<slug:reading_slug>/agenda/edit/",
        agenda.agenda_action,
        name="agenda_action",
    ),
    path(
        "g/<slug:slug>/r/<slug:reading_slug>/agenda/<int:item_id>/",
        agenda.item_action,
        name="agenda_item",
    ),
    path("g/<slug:slug>/r/<slug:reading_slug>/agenda/guide/", agenda.guide, name="guide"),
    path(
        "g/<slug:slug>/r/<slug:reading_slug>/agenda/guide.md",
        agenda.guide,
        {"fmt": "md"},
        name="guide_markdown",
    ),
    path(
        "g/<slug:slug>/r/<slug:reading_slug>/meetings/start/", meetings.start, name="start_meeting"
    ),
    path("g/<slug:slug>/m/<int:meeting_id>/", meetings.meeting, name="meeting"),
    path("g/<slug:slug>/m/<int:meeting_id>/live/", meetings.meeting_live, name="meeting_live"),
    path(
        "g/<slug:slug>/m/<int:meeting_id>/summary.md",
        meetings.summary_markdown,
        name="summary_markdown",
    ),
    path(THREAD, threads.thread, name="thread"),
    path(THREAD + "reply/", threads.reply, name="reply"),
    path(THREAD + "edit/", threads.edit, name="edit"),
    path(THREAD + "delete/", threads.delete, name="delete"),
    path(THREAD + "vote/", threads.vote, name="vote"),
    path(THREAD + "answered/", threads.answered, name="answered"),
    path(THREAD + "flag/", threads.flag, name="flag"),
    path(THREAD + "moderate/", threads.moderate, name="moderate"),
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
