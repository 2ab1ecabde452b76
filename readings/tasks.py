"""Imports run by the task worker (django-tasks: `manage.py db_worker` in
production, at once in development and tests): parsing a long PDF or Word file
takes longer than a web request is given."""

import logging

from django.db import transaction
from django_tasks import task

from . import services
from .importers import ImportProblem
from .models import Upload

logger = logging.getLogger(__name__)
CRASHED = (
    "Something went wrong while importing this file, and nothing was created. "
    "Please try again; if it keeps failing, tell the site admins."
)


@task()
def import_upload(upload_id: int) -> bool:
    """Make the draft reading or revision an upload asks for, or record why not.
    Whatever happens, the upload ends finished, and without its bytes unless it
    is a paste that failed."""
    pending = Upload.objects.select_related("revises", "uploaded_by")
    upload = pending.filter(pk=upload_id, finished=None).first()
    if upload is None:  # done already, or its reading was deleted meanwhile
        return False
    if upload.finish_if_lost():
        return False
    data = bytes(upload.data)
    try:
        # What is made and the record of it are saved together, or neither.
        with transaction.atomic():
            if upload.revises:
                upload.revision = services.upload_revision(
                    reading=upload.revises,
                    data=data,
                    filename=upload.filename,
                    uploaded_by=upload.uploaded_by,
                )
            else:
                upload.reading = services.import_reading(
                    data=data,
                    filename=upload.filename,
                    fmt=upload.details.get("format", ""),
                    title=upload.details.get("title", ""),
                    author=upload.details.get("author", ""),
                    source_url=upload.details.get("source_url", ""),
                    uploaded_by=upload.uploaded_by,
                )
            upload.finish()
    except ImportProblem as problem:
        upload.reading = upload.revision = None
        upload.finish(problem=str(problem))
    except Exception:
        logger.exception("Upload %s: the import crashed", upload_id)
        upload.reading = upload.revision = None
        upload.finish(problem=CRASHED)
    return not upload.problem
