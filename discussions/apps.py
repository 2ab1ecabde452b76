from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "discussions"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from groups import sections as group_pages
        from groups.models import Membership
        from readings.attached import PROVIDERS

        from . import checks  # noqa: F401  (registers them)
        from .moderation import queue_link
        from .news import beside_reading
        from .pieces import people_changed
        from .revisions import PROVIDER

        group_pages.BESIDE_READING.append(beside_reading)
        group_pages.MODERATOR_LINKS.append(queue_link)
        PROVIDERS.append(PROVIDER)
        # The people version: whatever saves a membership or a user (a service,
        # the admin, allauth), the reading pages' list of people follows.
        for signal in (post_save, post_delete):
            signal.connect(people_changed, sender=Membership)
        post_save.connect(people_changed, sender=get_user_model())
