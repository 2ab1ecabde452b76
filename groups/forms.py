import re

from django import forms
from django.core.validators import validate_email

from readings.models import Reading

from .models import Assignment, Group, Membership

MAX_INVITES = 50
MAX_TEXT = 2000  # a description or a syllabus note: a paragraph, not a document


class GroupForm(forms.ModelForm):
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=MAX_TEXT,
        help_text="What the group reads and why; members see this.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Group
        fields = ["name", "description"]
        labels = {"name": "Name"}

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not re.search(r"\w", name):
            raise forms.ValidationError("Give the group a name with letters or numbers in it.")
        return name


class GroupEditForm(GroupForm):
    """What organizers change once the group exists: also whether it counts participation."""

    class Meta(GroupForm.Meta):
        fields = ["name", "description", "participation_visible"]
        labels = {**GroupForm.Meta.labels, "participation_visible": "Show participation figures"}
        help_texts = {
            "participation_visible": "Facilitators see each member's posts, votes, reactions "
            "and readings opened; each member sees their own. Untick to count no one."
        }


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
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, group: Group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reading"].queryset = Reading.objects.filter(
            status=Reading.Status.PUBLISHED
        ).exclude(assignments__group=group)


class AssignmentEditForm(forms.ModelForm):
    """A syllabus entry's date and notes; its reading stays what it is."""

    notes = AssignmentForm.base_fields["notes"]

    class Meta:
        model = Assignment
        fields = ["meeting_date", "notes"]
        labels = {"meeting_date": "Meeting date"}
        widgets = {"meeting_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}


class DeleteGroupForm(forms.Form):
    """The organizer types the group's name, so a stray click deletes nothing."""

    name = forms.CharField(
        label="The group's name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, group: Group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.mismatch = f"Type the name of the group, {group.name}, to delete it."
        self.fields["name"].error_messages["required"] = self.mismatch

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if name != self.group.name:
            raise forms.ValidationError(self.mismatch)
        return name
