from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from readings.models import Reading
from readings.services import import_reading, publish

DEMO_READING = Path(__file__).resolve().parents[2] / "demo" / "reading-rooms-interview.md"
DEMO_PASSWORD = "read-together"
DEMO_PEOPLE = [
    {"email": "staff@example.com", "display_name": "Sam Staff", "is_staff": True},
    {"email": "member@example.com", "display_name": "Mina Member", "is_staff": False},
]


class Command(BaseCommand):
    help = "Create the demo accounts and the sample reading; running it again changes nothing."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        staff = None
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
            if person["is_staff"]:
                staff = user
        if not Reading.objects.filter(original_filename=DEMO_READING.name).exists():
            reading = import_reading(
                data=DEMO_READING.read_bytes(), filename=DEMO_READING.name, uploaded_by=staff
            )
            publish(reading)
        self.stdout.write(f"Demo sign-in (password for both: {DEMO_PASSWORD}):")
        for person in DEMO_PEOPLE:
            role = "staff, can use the library" if person["is_staff"] else "member"
            self.stdout.write(f"  {person['email']}  ({role})")
