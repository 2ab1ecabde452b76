from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("groups.urls")),
    path("", include("discussions.urls")),
    path("", include("facilitation.urls")),
    path("", include("notifications.urls")),
    path("", include("search.urls")),
    path("", include("interop.urls")),
    path("accounts/", include("allauth.urls")),
    path("settings/", include("accounts.urls")),
    path("library/", include("readings.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]
