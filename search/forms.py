import re

from django import forms
from django.contrib.auth import get_user_model

from discussions.models import Annotation
from groups.models import Assignment

from .engine import PASSAGE, REPLY

QUERY_MAX = 200
WORD = re.compile(r"\w+")


class SearchForm(forms.Form):
    """The search page's query string. Choices come from the searcher's own
    groups, so a filter can name nothing else."""

    q = forms.CharField(
        label="Search for",
        required=False,
        max_length=QUERY_MAX,
        error_messages={"max_length": f"Search for at most {QUERY_MAX} characters."},
    )
    group = forms.ChoiceField(label="Group", required=False)
    reading = forms.ChoiceField(label="Reading", required=False)
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[
            ("", "Everything"),
            (PASSAGE, "Passages of readings"),
            (Annotation.Kind.QUESTION, "Questions"),
            (Annotation.Kind.COMMENT, "Comments"),
            (Annotation.Kind.NOTE, "Your private notes"),
            (REPLY, "Replies"),
        ],
    )
    author = forms.TypedChoiceField(label="Author", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, assignments: list[Assignment], user, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {a.group.slug: a.group for a in assignments}
        self.readings = {a.reading.slug: a.reading for a in assignments}
        people = (
            get_user_model()
            .objects.filter(memberships__group__memberships__user=user)
            .distinct()
            .order_by("display_name", "pk")
        )
        self.fields["group"].choices = [("", "All your groups")] + sorted(
            ((slug, g.name) for slug, g in self.groups.items()), key=lambda c: c[1]
        )
        self.fields["reading"].choices = [("", "All readings")] + sorted(
            ((slug, r.title) for slug, r in self.readings.items()), key=lambda c: c[1]
        )
        self.fields["author"].choices = [("", "Anyone")] + [(p.pk, str(p)) for p in people]

    def clean_q(self) -> list[str]:
        """The words searched for: punctuation is no query syntax here."""
        return WORD.findall(self.cleaned_data["q"])

    def filters(self) -> dict:
        """The filters, as `engine.searchable` takes them."""
        data = self.cleaned_data
        return {
            "group": self.groups.get(data["group"]),
            "reading": self.readings.get(data["reading"]),
            "kind": data["kind"],
            "author": data["author"],
        }
