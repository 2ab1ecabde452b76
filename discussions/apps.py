from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "discussions"

    def ready(self):
        from groups import sections as group_pages
        from readings.attached import PROVIDERS

        from . import checks  # noqa: F401  (registers them)
        from .moderation import queue_link
        from .news import beside_reading
        from .revisions import PROVIDER

        group_pages.BESIDE_READING.append(beside_reading)
        group_pages.MODERATOR_LINKS.append(queue_link)
        PROVIDERS.append(PROVIDER)
