import pytest
from django.core.management import call_command

from groups.models import Group, Membership
from readings.models import Reading


@pytest.mark.django_db
def test_demo_data_loads_once(capsys):
    call_command("load_demo")
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "staff@example.com" in out and "member@example.com" in out
    assert "password for both: read-together" in out
    reading = Reading.objects.get()
    assert reading.is_published and reading.passages.filter(kind="speaker_turn").count() == 8
    group = Group.objects.get()
    roles = dict(Membership.objects.values_list("user__email", "role"))
    assert roles == {"staff@example.com": "organizer", "member@example.com": "member"}
    assert list(group.assignments.values_list("reading", flat=True)) == [reading.pk]
