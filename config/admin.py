from django.contrib import admin


class AdminSite(admin.AdminSite):
    """Django's admin, less its "view on site" shortcut: that redirect finds any
    object by content type and id, registered here or not, and so would tell
    staff the address (the name) of every group, reading and thread."""

    def get_urls(self):
        return [url for url in super().get_urls() if getattr(url, "name", "") != "view_on_site"]
