from django import forms
from django.conf import settings

from .importers import ImportProblem, format_for
from .models import Reading
from .services import check_size, size_label


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ".docx,.epub,.pdf,.txt,.text,.md,.markdown,.html,.htm,.xhtml"}
        ),
    )
    pasted = forms.CharField(
        label="Or paste the text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[
            ("", "Work it out from the file (always, for Word, EPUB and PDF)"),
            ("text", "Plain text"),
            ("markdown", "Markdown"),
            ("html", "HTML (a saved web page)"),
        ],
    )
    title = forms.CharField(label="Title", required=False, max_length=300)
    author = forms.CharField(label="Author", required=False, max_length=200)
    source_url = forms.URLField(
        label="Source URL", required=False, max_length=500, assume_scheme="https"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = size_label(settings.READING_MAX_BYTES)
        file = self.fields["file"]
        file.help_text = (
            f"A Word document (.docx), an e-book (.epub), a PDF with its text (not a scan), "
            f"plain text (.txt), Markdown (.md) or a saved web page (.html), up to {limit}."
        )
        # For upload.js: a file over the limit is refused before it is sent.
        file.widget.attrs["data-max-bytes"] = settings.READING_MAX_BYTES
        file.widget.attrs["data-too-large"] = (
            f"The file is larger than {limit}, the largest reading accepted."
        )
        self.fields["title"].help_text = "Leave empty to use the title found in the text."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload:
            try:
                check_size(upload.size)
                format_for(upload.name, "")  # an unknown extension is refused at once
            except ImportProblem as problem:
                raise forms.ValidationError(str(problem)) from problem
        return upload

    def clean_pasted(self) -> str:
        pasted = self.cleaned_data["pasted"]
        try:
            check_size(len(pasted.encode("utf-8")))
        except ImportProblem as problem:
            raise forms.ValidationError(str(problem)) from problem
        return pasted

    def clean(self):
        cleaned = super().clean()
        if self.has_error("file") or self.has_error("pasted"):
            return cleaned
        if cleaned.get("file") and cleaned.get("pasted", "").strip():
            raise forms.ValidationError("Choose a file or paste text, not both.")
        if not cleaned.get("file") and not cleaned.get("pasted", "").strip():
            raise forms.ValidationError("Choose a file to upload, or paste the text.")
        return cleaned

    def upload(self) -> tuple[bytes, str]:
        """The bytes to import and the file name they came with."""
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read(), upload.name
        return self.cleaned_data["pasted"].encode("utf-8"), ""


class RevisionForm(forms.Form):
    file = forms.FileField(label="Revised text", widget=forms.ClearableFileInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        upload = UploadForm()
        file = self.fields["file"]
        file.help_text = upload.fields["file"].help_text
        file.widget.attrs = upload.fields["file"].widget.attrs.copy()

    clean_file = UploadForm.clean_file


class ReadingDetailsForm(forms.ModelForm):
    source_url = UploadForm.base_fields["source_url"]

    class Meta:
        model = Reading
        fields = ["title", "author", "source_url", "standfirst"]
        widgets = {"standfirst": forms.Textarea(attrs={"rows": 4})}

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError("A reading needs a title.")
        return title
