import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from groups.services import create_group
from readings.models import Reading

INTERVIEW = (
    "The bakery strike\n\nInterview with Jo Park\n\nAn introduction.\n\n"
    "Amir Haddad: How did it start?\n\nJo Park: With a rota.\n\nIt was hard.\n\n"
    "AH: And then?\n\nJP: A letter."
)


@pytest.fixture
def interview_file(tmp_path):
    path = tmp_path / "strike.txt"
    path.write_text(INTERVIEW, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_json_output_is_exactly_the_documented_shape(interview_file, capsys):
    call_command(
        "import_reading", str(interview_file), "--json", "--source-url", "https://example.org/s"
    )
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"slug", "title", "author", "passages"}
    assert (result["slug"], result["title"], result["author"]) == (
        "the-bakery-strike",
        "The bakery strike",
        "Jo Park",
    )
    assert result["passages"][0] == {
        "anchor": result["passages"][0]["anchor"],
        "kind": "speaker_turn",
        "speaker": "Amir Haddad",
        "text": "How did it start?",
    }
    assert [p["speaker"] for p in result["passages"]] == [
        "Amir Haddad",
        "Jo Park",
        "Jo Park",
        "Amir Haddad",
        "Jo Park",
    ]
    assert all(set(p) == {"anchor", "kind", "speaker", "text"} for p in result["passages"])
    reading = Reading.objects.get()
    assert reading.source_url == "https://example.org/s"
    assert [p.anchor for p in reading.passages.all()] == [p["anchor"] for p in result["passages"]]


@pytest.mark.django_db
def test_title_and_author_options(interview_file, capsys):
    call_command("import_reading", str(interview_file), "--title", "Bread", "--author", "J. P.")
    assert "Imported “Bread” (5 passages) as a draft" in capsys.readouterr().out
    reading = Reading.objects.get()
    assert (reading.title, reading.author, reading.status) == ("Bread", "J. P.", "draft")


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty.txt: The file is empty."),
        ("scan.txt", b"%PDF-1.4\x00\x01", "scan.txt: This PDF is incomplete"),
        ("blob.txt", bytes(range(256)) * 4, "blob.txt: This looks like a binary file"),
        ("essay.docx", b"words", "essay.docx: This file is named .docx but is not a Word"),
        ("essay.odt", b"words", "Unknown file type '.odt'"),
        (
            "huge.txt",
            b"a" * 2048,
            "huge.txt: The file is 2 KB; the largest reading accepted is 1 KB.",
        ),
    ],
)
def test_bad_input_is_one_clear_line_and_creates_nothing(tmp_path, settings, name, data, message):
    settings.READING_MAX_BYTES = 1024
    with pytest.raises(CommandError) as error:
        call_command("import_reading", write(tmp_path, name, data))
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    assert not Reading.objects.exists()


@pytest.mark.django_db
def test_group_option_publishes_and_assigns(interview_file, member, capsys):
    group = create_group(name="Bakers' circle", description="", creator=member)
    call_command("import_reading", str(interview_file), "--group", group.slug)
    reading = Reading.objects.get()
    assert reading.status == Reading.Status.PUBLISHED
    assert list(group.assignments.values_list("reading", flat=True)) == [reading.pk]
    assert f"on the syllabus of Bakers' circle: /g/{group.slug}/r/{reading.slug}/" in (
        capsys.readouterr().out
    )


@pytest.mark.django_db
def test_unknown_group_creates_nothing(interview_file):
    with pytest.raises(CommandError, match="No group with the slug 'nope'."):
        call_command("import_reading", str(interview_file), "--group", "nope")
    assert not Reading.objects.exists()


@pytest.mark.django_db
def test_missing_file_and_bad_source_url(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_reading", str(tmp_path / "nope.txt"))
    path = write(tmp_path, "ok.txt", b"T\n\nText.")
    with pytest.raises(CommandError, match="Not a web address: javascript:alert"):
        call_command("import_reading", path, "--source-url", "javascript:alert(1)")
    assert not Reading.objects.exists()


def test_bad_input_exits_non_zero_without_a_traceback(tmp_path):
    path = write(tmp_path, "empty.txt", b"")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_reading", path],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip() == "CommandError: empty.txt: The file is empty."
    assert "Traceback" not in result.stderr
