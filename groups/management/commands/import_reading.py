import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.db import transaction

from groups.models import Group
from groups.services import assign_reading
from readings.importers import ImportProblem
from readings.models import Reading
from readings.services import (
    RevisionRefused,
    check_size,
    import_reading,
    publish,
    publish_revision,
    upload_revision,
)


class Command(BaseCommand):
    help = (
        "Import a Word (.docx), EPUB, PDF, plain text, Markdown or HTML file as a draft "
        "reading; with --group, "
        "publish it and put it on that group's syllabus; with --revise SLUG, publish it "
        "as a revised text of that reading, carrying its annotations across."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file to import")
        parser.add_argument("--title", default="", help="use this title, not the one found")
        parser.add_argument("--author", default="", help="use this author, not the one found")
        parser.add_argument("--source-url", default="", help="where the text was published")
        parser.add_argument("--group", default="", help="slug of a group to assign it to")
        parser.add_argument(
            "--revise", default="", metavar="SLUG", help="publish it as a revision of this reading"
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if options["revise"]:
            return self.revise(path, options)
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
            self.stdout.write(json.dumps(as_json(reading, passages), ensure_ascii=False, indent=2))
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

    def revise(self, path: Path, options) -> None:
        others = [
            f"--{name}" for name in ("title", "author", "source_url", "group") if options[name]
        ]
        if others:
            raise CommandError(
                f"--revise keeps the reading's details: leave out {', '.join(others)}."
            )
        slug = options["revise"]
        reading = Reading.objects.filter(slug=slug).first()
        if reading is None:
            raise CommandError(f"No reading with the slug '{slug}'.")
        if not reading.is_published:
            raise CommandError(
                f"'{slug}' is a draft: delete it and import the revised text instead."
            )
        try:
            check_size(path.stat().st_size)
            with transaction.atomic():
                revision = upload_revision(
                    reading=reading, data=path.read_bytes(), filename=path.name
                )
                moved = publish_revision(revision=revision)
        except (ImportProblem, RevisionRefused) as problem:
            raise CommandError(f"{path.name}: {problem}") from None

        reading.refresh_from_db()
        passages = list(reading.passages.all())
        if options["json"]:
            result = as_json(reading, passages) | {
                "revision": reading.revision,
                "annotations": [
                    {"id": int(key.split(":")[1]), "outcome": placed.outcome, "exact": placed.exact}
                    for key, placed in moved.items()
                    if key.startswith("annotation:")
                ],
            }
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            outcomes = [placed.outcome for placed in moved.values()]
            self.stdout.write(
                f"Published version {reading.revision} of “{reading.title}” ({len(passages)} "
                f"passages): of what groups had attached, {outcomes.count('kept')} kept, "
                f"{outcomes.count('moved')} moved, {outcomes.count('orphaned')} orphaned. "
                f"{revision.get_absolute_url()}"
            )


def as_json(reading, passages) -> dict:
    return {
        "slug": reading.slug,
        "title": reading.title,
        "author": reading.author,
        "passages": [
            {"anchor": p.anchor, "kind": p.kind, "speaker": p.speaker, "text": p.text}
            for p in passages
        ],
    }
