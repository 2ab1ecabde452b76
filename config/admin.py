from allauth.account.decorators import secure_admin_login
from django.contrib import admin


class AdminSite(admin.AdminSite):
    """Django's admin, less its "view on site" shortcut: that redirect finds any
    object by content type and id, registered here or not, and so would tell
    staff the address (the name) of every group, reading and thread."""

    def login(self, request, extra_context=None):
        # Through the site's sign-in page and so its rate limits: the admin's own
        # form would take unlimited guesses.
        return secure_admin_login(super().login)(request, extra_context)

    def get_urls(self):
        return [url for url in super().get_urls() if getattr(url, "name", "") != "view_on_site"]
