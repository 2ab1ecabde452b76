from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "discussions"

    def ready(self):
        from groups import sections as group_pages

        from . import checks  # noqa: F401  (registers them)
        from .news import beside_reading

        group_pages.BESIDE_READING.append(beside_reading)
