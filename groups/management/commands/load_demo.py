import datetime
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from groups.models import Group, Membership
from groups.services import assign_reading, create_group
from readings.models import Reading
from readings.services import import_reading, publish

DEMO_READING = Path(__file__).resolve().parents[2] / "demo" / "reading-rooms-interview.md"
DEMO_PASSWORD = "read-together"
DEMO_GROUP = "Demo reading circle"
DEMO_PEOPLE = [
    {"email": "staff@example.com", "display_name": "Sam Staff", "is_staff": True},
    {"email": "member@example.com", "display_name": "Mina Member", "is_staff": False},
]


class Command(BaseCommand):
    help = "Create the demo accounts, group and sample reading; running it again changes nothing."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        people = []
        for person in DEMO_PEOPLE:
            user, created = User.objects.get_or_create(
                email=person["email"],
                defaults={"display_name": person["display_name"], "is_staff": person["is_staff"]},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                EmailAddress.objects.create(
                    user=user, email=user.email, verified=True, primary=True
                )
            people.append(user)
        staff, member = people

        reading = Reading.objects.filter(original_filename=DEMO_READING.name).first()
        if reading is None:
            reading = import_reading(
                data=DEMO_READING.read_bytes(), filename=DEMO_READING.name, uploaded_by=staff
            )
            publish(reading)
        group = Group.objects.filter(name=DEMO_GROUP).first()
        if group is None:
            group = create_group(
                name=DEMO_GROUP,
                description="A sample group to try Marginalia with.",
                creator=staff,
            )
            Membership.objects.create(group=group, user=member)
            assign_reading(
                group=group,
                reading=reading,
                meeting_date=timezone.localdate() + datetime.timedelta(days=7),
                notes="Read the whole interview; bring one question.",
                actor=staff,
            )

        self.stdout.write(f"Demo sign-in (password for both: {DEMO_PASSWORD}):")
        self.stdout.write(f"  {staff.email}  (staff: the library; organizer of {DEMO_GROUP})")
        self.stdout.write(f"  {member.email}  (member of {DEMO_GROUP})")
