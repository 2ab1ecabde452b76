from django.urls import path

from .views import agenda, meetings, overview, participation

app_name = "facilitation"

READING = "g/<slug:slug>/r/<slug:reading_slug>/"
MEETING = "g/<slug:slug>/m/<int:meeting_id>/"

urlpatterns = [
    path(READING + "agenda/", agenda.agenda, name="agenda"),
    path(READING + "agenda/edit/", agenda.agenda_action, name="agenda_action"),
    path(READING + "agenda/add/", agenda.add_from_words, name="agenda_add"),
    path(READING + "agenda/<int:item_id>/", agenda.item_action, name="agenda_item"),
    path(READING + "agenda/guide/", agenda.guide, name="guide"),
    path(READING + "agenda/guide.md", agenda.guide, {"fmt": "md"}, name="guide_markdown"),
    path(READING + "overview/", overview.overview, name="overview"),
    path("g/<slug:slug>/participation/", participation.participation, name="participation"),
    path(READING + "meetings/start/", meetings.start, name="start_meeting"),
    path(MEETING, meetings.meeting, name="meeting"),
    path(MEETING + "live/", meetings.meeting_live, name="meeting_live"),
    path(MEETING + "summary.md", meetings.summary_markdown, name="summary_markdown"),
]
