from django import forms

from readings.models import Passage, Reading


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
    answer_first = forms.BooleanField(
        label="Members answer first",
        required=False,
        help_text="They see the others' replies once they have posted their own.",
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
