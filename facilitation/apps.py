from django.apps import AppConfig


class FacilitationConfig(AppConfig):
    name = "facilitation"

    def ready(self):
        from discussions import sections as reading_page
        from groups import sections as group_page
        from readings.attached import PROVIDERS, Provider

        from . import revisions
        from .sections import (
            facilitator_links,
            group_meetings,
            live_meeting_banner,
            meeting_banner,
            published_agenda,
        )

        reading_page.ABOVE_READING += [meeting_banner, published_agenda]
        reading_page.LIVE.append(live_meeting_banner)
        reading_page.PRINT_FIRST.append(published_agenda)
        reading_page.READING_TOOLS.append(facilitator_links)
        group_page.GROUP_PAGE.append(group_meetings)
        PROVIDERS.append(Provider(collect=revisions.collect, move=revisions.move))
