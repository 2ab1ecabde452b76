from django.urls import path

from .views import live, moderation, orphans, reading, threads
from .views import print as printed

app_name = "discussions"

THREAD = "g/<slug:slug>/r/<slug:reading_slug>/t/<int:thread_id>/"
PRINT = "g/<slug:slug>/r/<slug:reading_slug>/print/"

urlpatterns = [
    path("g/<slug:slug>/moderation/", moderation.moderation, name="moderation"),
    path("g/<slug:slug>/r/<slug:reading_slug>/", reading.reading_page, name="reading"),
    path("g/<slug:slug>/r/<slug:reading_slug>/annotate/", reading.annotate, name="annotate"),
    path("g/<slug:slug>/r/<slug:reading_slug>/live/", live.poll, name="live"),
    path(
        "g/<slug:slug>/r/<slug:reading_slug>/p/<slug:anchor>/",
        reading.passage_threads,
        name="passage",
    ),
    path(PRINT, printed.print_edition, name="print"),
    path(PRINT + "pdf/", printed.print_pdf, name="print_pdf"),
    path(PRINT + "pdf/<int:job_id>/", printed.print_job, name="print_job"),
    path(PRINT + "pdf/<int:job_id>/file/", printed.print_file, name="print_file"),
    path("g/<slug:slug>/r/<slug:reading_slug>/orphans/", orphans.orphans, name="orphans"),
    path(
        "g/<slug:slug>/r/<slug:reading_slug>/orphans/<int:thread_id>/",
        orphans.reattach,
        name="reattach",
    ),
    path(THREAD, threads.thread, name="thread"),
    path(THREAD + "reply/", threads.reply, name="reply"),
    path(THREAD + "edit/", threads.edit, name="edit"),
    path(THREAD + "delete/", threads.delete, name="delete"),
    path(THREAD + "vote/", threads.vote, name="vote"),
    path(THREAD + "react/", threads.react, name="react"),
    path(THREAD + "answered/", threads.answered, name="answered"),
    path(THREAD + "answer-first/", threads.answer_first, name="answer_first"),
    path(THREAD + "flag/", threads.flag, name="flag"),
    path(THREAD + "moderate/", threads.moderate, name="moderate"),
]
