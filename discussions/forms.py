import re

from django import forms
from django.core.validators import validate_email

from readings.models import Passage, Reading

from .anchoring import SelectorError, resolve_selector
from .models import Annotation, Group, Membership

MAX_INVITES = 50


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "description"]
        labels = {"name": "Name", "description": "Description"}
        help_texts = {"description": "What the group reads and why; members see this."}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not re.search(r"\w", name):
            raise forms.ValidationError("Give the group a name with letters or numbers in it.")
        return name


class InviteForm(forms.Form):
    emails = forms.CharField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or more, separated by commas or new lines.",
    )

    def clean_emails(self) -> list[str]:
        emails = [e.lower() for e in re.split(r"[\s,;]+", self.cleaned_data["emails"]) if e]
        bad = []
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError:
                bad.append(email)
        if bad:
            raise forms.ValidationError(f"Not an email address: {', '.join(bad)}")
        if len(emails) > MAX_INVITES:
            raise forms.ValidationError(f"Invite at most {MAX_INVITES} people at a time.")
        return list(dict.fromkeys(emails))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)


class AssignmentForm(forms.Form):
    reading = forms.ModelChoiceField(
        label="Reading", queryset=Reading.objects.none(), empty_label="Choose a reading"
    )
    meeting_date = forms.DateField(
        label="Meeting date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, group: Group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reading"].queryset = Reading.objects.filter(
            status=Reading.Status.PUBLISHED
        ).exclude(assignments__group=group)


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


class AnnotationForm(forms.Form):
    """A new thread on a passage, or on words in it (the selector fields)."""

    passage = forms.CharField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=Annotation.Kind.choices)
    body = BodyField(label="Your question or comment")
    exact = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    prefix = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    suffix = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    AGENDA = "agenda"

    def __init__(self, *args, reading: Reading, facilitator: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reading = reading
        if facilitator:
            # Facilitators may also file the words as a draft agenda question.
            self.fields["kind"].choices = [
                *Annotation.Kind.choices,
                (self.AGENDA, "Agenda question"),
            ]

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

    def apply(self, annotations: list, user) -> list:
        """Keep the annotations these filters let through (all of them when invalid)."""
        if not self.is_valid():
            return annotations
        data = self.cleaned_data
        kept = annotations
        if data["kind"]:
            kept = [a for a in kept if a.kind == data["kind"]]
        if data["unanswered"]:
            kept = [a for a in kept if a.kind == Annotation.Kind.QUESTION and not a.answered]
        if data["mine"]:
            kept = [a for a in kept if a.author_id == user.pk]
        if data["member"]:
            kept = [a for a in kept if a.author_id == data["member"]]
        return kept

    @property
    def active(self) -> bool:
        return self.is_valid() and any(
            self.cleaned_data[name] for name in ("kind", "unanswered", "mine", "member")
        )


class AgendaItemForm(forms.Form):
    text = forms.CharField(
        label="Question", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    minutes = forms.IntegerField(label="Minutes", min_value=1, max_value=240, initial=10)
    notes = forms.CharField(
        label="Notes for facilitators",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Members never see these.",
    )
    passage = forms.ModelChoiceField(
        label="Passage",
        required=False,
        queryset=Passage.objects.none(),
        empty_label="The whole reading",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, reading: Reading, passages=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["passage"]
        field.queryset = reading.passages.all()
        if passages is not None:
            # The page already has the passages: label them without another query.
            field.choices = [("", field.empty_label)] + [
                (p.pk, f"{p.position}. {p.text[:70]}") for p in passages
            ]
        else:
            field.label_from_instance = lambda p: f"{p.position}. {p.text[:70]}"
