from django.urls import path

from . import views

app_name = "notifications"

READING = "g/<slug:slug>/r/<slug:reading_slug>/"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.mark_all_read, name="mark_all_read"),
    path("inbox/<int:notification_id>/read/", views.mark_read, name="mark_read"),
    path("inbox/email/", views.email_settings, name="email_settings"),
    path("inbox/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path(READING + "follow/", views.follow_reading, name="follow_reading"),
    path(READING + "t/<int:thread_id>/follow/", views.follow_thread, name="follow_thread"),
]
