"""The Django admin runs accounts, never a group's discussions."""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType

from tests.conftest import make_annotation, make_user, signed_in

# What staff may manage in the admin: people and their email addresses.
ADMIN_MODELS = {"accounts.user", "account.emailaddress"}


def test_the_admin_registers_no_group_or_discussion_content():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == ADMIN_MODELS


@pytest.mark.django_db
def test_a_superuser_reads_no_post_or_note_through_the_admin(
    client, group, organizer, assigned_reading
):
    note = make_annotation(group, assigned_reading, organizer, kind="note", body="Secret note")
    signed_in(client, make_user("root@example.org", is_staff=True, is_superuser=True))
    index = client.get("/admin/").content.decode()
    assert "Annotation" not in index and "Membership" not in index
    for obj in (note, group):
        content_type = ContentType.objects.get_for_model(obj)
        # The admin's "view on site" shortcut would say where any object lives: a group's name.
        response = client.get(f"/admin/r/{content_type.pk}/{obj.pk}/")
        assert response.status_code == 404
        label = content_type.app_label + "/" + content_type.model
        assert client.get(f"/admin/{label}/{obj.pk}/change/").status_code == 404
