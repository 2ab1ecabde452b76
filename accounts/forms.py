from django import forms


class DisplayNameForm(forms.Form):
    """The name other members see: asked at signup, changed in the settings."""

    display_name = forms.CharField(
        label="Display name",
        max_length=80,
        help_text="How other members of your groups see you.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError("Enter the name other members will see.")
        return name


class SignupForm(DisplayNameForm):
    """Extra signup field for allauth."""

    def signup(self, request, user) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=80, help_text="What will use the token, so you know it later."
    )
