"""Headers on every page: a Content-Security-Policy and a Permissions-Policy,
and no cache keeps what a signed-in reader sees."""

import re

import pytest

from accounts.tokens import create_token
from tests.conftest import signed_in

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@pytest.mark.django_db
def test_the_public_landing_page_has_the_policies_and_may_be_cached(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "Cache-Control" not in response


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/g/{group}/",
        "/g/{group}/r/{reading}/",
        "/g/{group}/r/{reading}/export.md",
        "/g/{group}/r/{reading}/export.csv",
        "/g/{group}/export.jsonld",
        "/settings/",
    ],
)
def test_what_a_signed_in_reader_sees_is_never_stored(
    client, organizer, group, assigned_reading, path
):
    signed_in(client, organizer)
    response = client.get(path.format(group=group.slug, reading=assigned_reading.slug))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == POLICY


@pytest.mark.django_db
def test_the_library_is_never_stored(staff_client):
    response = staff_client.get("/library/")
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_an_api_answer_to_a_token_is_never_stored(client, group, member, assigned_reading):
    token = create_token(user=member, name="test")
    path = f"/api/groups/{group.slug}/readings/{assigned_reading.slug}/annotations"
    response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_the_live_poll_keeps_its_own_caching_and_its_304(
    client, member, group, assigned_reading, django_assert_num_queries
):
    signed_in(client, member)
    page = client.get(f"/g/{group.slug}/r/{assigned_reading.slug}/").content.decode()
    url, version = re.search(r'data-live-url="([^"]+)" data-live-version="(\d+)"', page).groups()
    url = url.replace("&amp;", "&")

    changed = client.get(url)
    assert (changed.status_code, changed["Cache-Control"]) == (200, "no-store")
    with django_assert_num_queries(1):
        same = client.get(url, HTTP_IF_NONE_MATCH=f'"{version}"')
    assert (same.status_code, same["Cache-Control"]) == (304, "private, no-store")


@pytest.mark.django_db
def test_djangos_debug_pages_keep_their_inline_styles(client, settings):
    settings.DEBUG = True
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "<style" in response.content.decode()
    assert "Content-Security-Policy" not in response
