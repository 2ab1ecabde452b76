"""A Word document: mammoth turns its paragraphs into plain HTML (headings,
lists, quotes, emphasis, links), which the saved-page reader then splits.

mammoth keeps the text a tracked change inserted, leaves out what it deleted,
and leaves out comments, headers, footers and images (none are passages)."""

from io import BytesIO

import mammoth

from .archive import open_zip
from .errors import ImportProblem
from .html import parse_html
from .structure import ParsedReading

# Word's built-in styles that are not in mammoth's default map; a subtitle and a
# caption get the class names the HTML reader knows them by.
STYLE_MAP = """
p[style-name='Title'] => h1:fresh
p[style-name='Subtitle'] => p.subtitle:fresh
p[style-name='Quote'] => blockquote > p:fresh
p[style-name='Intense Quote'] => blockquote > p:fresh
p[style-name='Block Text'] => blockquote > p:fresh
p[style-name='Caption'] => p.caption:fresh
"""
# An image is never read: it becomes an <img> with no source, which the
# sanitizer then drops.
NO_IMAGES = mammoth.images.img_element(lambda image: {})


def parse_docx(data: bytes) -> ParsedReading:
    archive = open_zip(data, "Word document")
    if "word/document.xml" not in archive.namelist():
        raise ImportProblem(
            "This ZIP file is not a Word document (it has no word/document.xml). "
            "Upload a .docx saved by Word, LibreOffice or Google Docs."
        )
    try:
        result = mammoth.convert_to_html(
            BytesIO(data), style_map=STYLE_MAP, convert_image=NO_IMAGES
        )
    # mammoth raises whatever its zip and XML readers meet in a damaged file.
    except Exception:
        raise ImportProblem(
            "This Word document could not be read: it may be damaged. Open it in Word or "
            "LibreOffice and save it again as .docx."
        ) from None
    return parse_html(result.value)
