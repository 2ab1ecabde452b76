import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_anonymous_visitors_get_the_landing_page(client):
    page = client.get(reverse("discussions:home")).content.decode()
    assert "Read together, talk in the margins." in page
    assert reverse("account_signup") in page


@pytest.mark.django_db
def test_signed_in_people_are_greeted_and_staff_see_the_library(client, member, staff):
    client.force_login(member)
    page = client.get("/").content.decode()
    assert "Welcome, Maya Member" in page and "Open the library" not in page
    client.force_login(staff)
    assert "Open the library" in client.get("/").content.decode()
