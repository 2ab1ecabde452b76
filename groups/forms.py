import re

from django import forms
from django.core.validators import validate_email

from readings.models import Reading

from .models import Group, Membership

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
