import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.db import transaction

from groups.models import Group
from groups.services import assign_reading
from readings.importers import ImportProblem
from readings.services import check_size, import_reading, publish


class Command(BaseCommand):
    help = (
        "Import a Word (.docx), EPUB, PDF, plain text, Markdown or HTML file as a draft "
        "reading; with --group, publish it and put it on that group's syllabus."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file to import")
        parser.add_argument("--title", default="", help="use this title, not the one found")
        parser.add_argument("--author", default="", help="use this author, not the one found")
        parser.add_argument("--source-url", default="", help="where the text was published")
        parser.add_argument("--group", default="", help="slug of a group to assign it to")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if options["source_url"]:
            try:
                URLValidator(schemes=["http", "https"])(options["source_url"])
            except ValidationError:
                raise CommandError(f"Not a web address: {options['source_url']}") from None
        group = None
        if options["group"]:
            group = Group.objects.filter(slug=options["group"]).first()
            if group is None:
                raise CommandError(f"No group with the slug '{options['group']}'.")
        try:
            check_size(path.stat().st_size)
            with transaction.atomic():
                reading = import_reading(
                    data=path.read_bytes(),
                    filename=path.name,
                    title=options["title"],
                    author=options["author"],
                    source_url=options["source_url"],
                )
                if group:
                    publish(reading)
                    assign_reading(
                        group=group, reading=reading, meeting_date=None, notes="", actor=None
                    )
        except ImportProblem as problem:
            raise CommandError(f"{path.name}: {problem}") from None

        passages = list(reading.passages.all())
        if options["json"]:
            result = {
                "slug": reading.slug,
                "title": reading.title,
                "author": reading.author,
                "passages": [
                    {"anchor": p.anchor, "kind": p.kind, "speaker": p.speaker, "text": p.text}
                    for p in passages
                ],
            }
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif group:
            self.stdout.write(
                f"Imported “{reading.title}” ({len(passages)} passages), published it and put it "
                f"on the syllabus of {group.name}: {reading.assignments.get().get_absolute_url()}"
            )
        else:
            self.stdout.write(
                f"Imported “{reading.title}” ({len(passages)} passages) as a draft: "
                f"{reading.get_absolute_url()}"
            )
