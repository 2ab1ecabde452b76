from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("name/", views.change_display_name, name="display_name"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]
