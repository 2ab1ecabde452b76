from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self):
        from discussions import events
        from discussions import sections as reading_page

        from .sections import (
            follow_reading_button,
            follow_thread_button,
            live_inbox_count,
            unread_stamp,
        )
        from .tasks import on_event

        events.LISTENERS.append(on_event)
        reading_page.READING_TOOLS.append(follow_reading_button)
        reading_page.THREAD_TOOLS.append(follow_thread_button)
        reading_page.LIVE_STAMPS.append((unread_stamp, live_inbox_count))
