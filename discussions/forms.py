from django import forms
from django.db.models import QuerySet

from readings.models import Passage, Reading

from .anchoring import SelectorError, resolve_selector
from .models import Annotation, PrintJob, Reaction

BODY_MAX = 10_000


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", BODY_MAX)
        kwargs.setdefault("error_messages", {"required": "Write something first."})
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value.strip():
            raise forms.ValidationError("Write something first.")
        return value


class WordsForm(forms.Form):
    """Words of a passage (the selector fields), or the whole passage, and what
    to say about them: the composer's fields."""

    passage = forms.CharField(widget=forms.HiddenInput)
    body = BodyField(label="Your question or comment")
    exact = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    prefix = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    suffix = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, reading: Reading, **kwargs):
        super().__init__(*args, **kwargs)
        self.reading = reading

    def clean_passage(self) -> Passage:
        anchor = self.cleaned_data["passage"]
        passage = self.reading.passages.filter(anchor=anchor).first()
        if passage is None:
            raise forms.ValidationError("That passage is not in this reading.")
        return passage

    def clean(self):
        cleaned = super().clean()
        passage = cleaned.get("passage")
        cleaned["selector"] = None
        if passage and (cleaned.get("exact") or cleaned.get("start") is not None):
            try:
                cleaned["selector"] = resolve_selector(
                    passage.text,
                    exact=cleaned.get("exact") or "",
                    prefix=cleaned.get("prefix") or "",
                    suffix=cleaned.get("suffix") or "",
                    start=cleaned.get("start"),
                    end=cleaned.get("end"),
                )
            except SelectorError as error:
                raise forms.ValidationError(str(error)) from None
        return cleaned


class AnnotationForm(WordsForm):
    """A new thread on a passage, or on words in it."""

    kind = forms.ChoiceField(choices=Annotation.Kind.choices)


class ReplyForm(forms.Form):
    body = BodyField(label="Your reply")
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EditForm(forms.Form):
    body = BodyField(label="Edit")


class FlagForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with it?",
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "e.g. a personal attack, spam"}),
    )


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=Reaction.Kind.choices)
    # What the button makes the reaction: on ("1") or off ("0").
    on = forms.TypedChoiceField(choices=[("1", "on"), ("0", "off")], coerce=lambda v: v == "1")


class DiscussionFilterForm(forms.Form):
    """The reading page's filters, from its query string."""

    kind = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Everything"), ("question", "Questions only"), ("comment", "Comments only")],
    )
    unanswered = forms.BooleanField(label="Unanswered questions", required=False)
    mine = forms.BooleanField(label="Mine", required=False)
    member = forms.TypedChoiceField(label="By member", required=False, coerce=int, empty_value=None)
    sort = forms.ChoiceField(
        label="Sort questions by",
        required=False,
        choices=[("votes", "Votes"), ("newest", "Newest"), ("passage", "Passage order")],
    )

    def __init__(self, *args, members: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "Anyone"), *members]

    def apply(self, annotations: QuerySet, user) -> QuerySet:
        """The annotations these filters let through (all of them when invalid)."""
        if not self.is_valid():
            return annotations
        data = self.cleaned_data
        if data["kind"]:
            annotations = annotations.filter(kind=data["kind"])
        if data["unanswered"]:
            annotations = annotations.filter(kind=Annotation.Kind.QUESTION, answered=None)
        if data["mine"]:
            annotations = annotations.filter(author=user.pk)
        if data["member"]:
            annotations = annotations.filter(author=data["member"])
        return annotations

    @property
    def active(self) -> bool:
        return self.is_valid() and any(
            self.cleaned_data[name] for name in ("kind", "unanswered", "mine", "member")
        )


class ReattachForm(forms.Form):
    """Where an orphan goes back into the text: a passage, and the words there
    (which of them, if they occur more than once), or the whole passage."""

    passage = forms.ChoiceField(
        label="Passage",
        help_text="Those near where its words stood.",
        error_messages={"invalid_choice": "That passage is not one of those offered here."},
    )
    words = forms.CharField(
        label="The words to attach it to",
        required=False,
        max_length=BODY_MAX,
        help_text="Copied from that passage. Leave empty to attach it to the whole passage.",
    )
    occurrence = forms.IntegerField(
        label="Which time they occur, if more than once",
        required=False,
        min_value=1,
        help_text="1 for the first time in the passage, 2 for the second…",
    )

    def __init__(self, *args, passages: list[Passage], **kwargs):
        super().__init__(*args, **kwargs)
        self.passages = {passage.anchor: passage for passage in passages}
        self.fields["passage"].choices = [
            (passage.anchor, f"{passage.position}. {first_words(passage.text)}")
            for passage in passages
        ]

    def clean(self):
        cleaned = super().clean()
        passage = self.passages.get(cleaned.get("passage"))
        words = (cleaned.get("words") or "").strip()
        cleaned["passage"], cleaned["selector"] = passage, None
        if passage is None or not words:
            return cleaned
        text, found, at = passage.text, [], passage.text.find(words)
        while at != -1:
            found.append(at)
            at = text.find(words, at + 1)
        if not found:
            raise forms.ValidationError("These words do not occur in that passage.")
        which = cleaned.get("occurrence") or (1 if len(found) == 1 else None)
        if which is None or which > len(found):
            times = "once" if len(found) == 1 else f"{len(found)} times"
            raise forms.ValidationError(
                f"These words occur {times} in that passage: say which time you mean, "
                f"from 1 to {len(found)}."
            )
        at = found[which - 1]
        cleaned["selector"] = resolve_selector(text, exact=words, start=at, end=at + len(words))
        return cleaned


def first_words(text: str, count: int = 8) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


PRINT_KINDS = [
    (Annotation.Kind.QUESTION, "Questions"),
    (Annotation.Kind.COMMENT, "Comments"),
    (Annotation.Kind.NOTE, "My private notes"),
    ("replies", "Replies"),
]


class PrintForm(forms.Form):
    """What the print edition includes, and on what paper: from the page's query
    string, or posted to ask for its PDF."""

    ALL_KINDS = [value for value, _ in PRINT_KINDS]

    kinds = forms.MultipleChoiceField(
        label="Include", required=False, choices=PRINT_KINDS, widget=forms.CheckboxSelectMultiple
    )
    paper = forms.ChoiceField(
        label="Paper", choices=PrintJob.Paper.choices, widget=forms.RadioSelect
    )

    @classmethod
    def from_query(cls, query) -> "PrintForm":
        """The form as sent; a link's query, which names no paper (the form always
        does), asks for everything on A4 unless it names kinds."""
        if "paper" not in query:
            query = query.copy()
            query["paper"] = "a4"
            if "kinds" not in query:
                query.setlist("kinds", cls.ALL_KINDS)
        return cls(query)
