"""PDFs of print editions, made by the task worker (django-tasks: `manage.py
db_worker` in production, at once in development and tests): WeasyPrint takes
many seconds of CPU for a long discussion, more than a web request may hold a
worker for."""

import logging
from urllib.parse import urljoin

from django.conf import settings
from django_tasks import task

from . import printing
from .models import PrintJob

logger = logging.getLogger(__name__)
CRASHED = (
    "Something went wrong while making this PDF. Please try again; "
    "if it keeps failing, tell the site admins."
)


@task()
def make_pdf(job_id: int, page_url: str) -> bool:
    """Lay out a job's stored HTML as a PDF (its links resolved against
    `page_url`, the print edition's address), or record why not. Whatever
    happens, the job ends finished, without its HTML."""
    job = PrintJob.objects.filter(pk=job_id, finished=None).first()
    if job is None:  # done already, or replaced by a newer job meanwhile
        return False
    if job.finish_if_lost():
        return False
    try:
        made = printing.pdf(job.html, page_url, urljoin(page_url, settings.STATIC_URL))
    except Exception:
        logger.exception("Print job %s: WeasyPrint crashed", job_id)
        job.finish(problem=CRASHED)
        return False
    job.finish(pdf=made)
    return True
