from django import forms

from .models import EmailPreference, Kind


class EmailPreferencesForm(forms.Form):
    """One choice per group and kind of news: fields named `<group id>-<kind>`."""

    def __init__(self, *args, groups, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = []
        for group in groups:
            names = []
            for kind in Kind:
                name = f"{group.pk}-{kind.value}"
                self.fields[name] = forms.ChoiceField(
                    label=kind.label,
                    choices=EmailPreference.Choice.choices,
                    initial=current[(group.pk, kind.value)],
                )
                names.append(name)
            self.sections.append((group, [self[name] for name in names]))

    def chosen(self):
        """(group id, kind, choice) for every field."""
        for name, choice in self.cleaned_data.items():
            group_id, kind = name.split("-", 1)
            yield int(group_id), kind, choice
