"""Work the task worker does while a page waits (an import, a PDF): its life
from queued to finished, and the answer to the waiting page's poll. It lives in
readings, the lowest app that has such work, so every app above may use it."""

from datetime import timedelta

from django.db import models
from django.http import HttpResponse
from django.utils import timezone


class WorkerJobQuerySet(models.QuerySet):
    def running(self) -> "WorkerJobQuerySet":
        """Those still running: `is_running`, in the database."""
        return self.filter(finished=None, created__gt=timezone.now() - self.model.STALE_AFTER)


class WorkerJob(models.Model):
    """A job queued for the task worker: unfinished while it runs, then
    finished with what came of it, or with the problem that stopped it."""

    # Past this, a job still unfinished is taken as lost (its worker died).
    STALE_AFTER = timedelta(minutes=10)
    # What its page says then; each kind of job says what did not come.
    LOST: str

    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    problem = models.CharField(max_length=500, blank=True)

    objects = WorkerJobQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_running(self) -> bool:
        return self.finished is None and timezone.now() - self.created < self.STALE_AFTER

    @property
    def failure(self) -> str:
        """The message for the person waiting when the job failed, or ""."""
        if self.finished is None:
            return "" if self.is_running else self.LOST
        return self.problem

    def finish(self, *, problem: str = "") -> None:
        """Mark it finished, with `problem` if it failed. Each kind of job
        extends this to drop its input and save what came of it."""
        self.problem = problem[: self._meta.get_field("problem").max_length]
        self.finished = timezone.now()

    def finish_if_lost(self) -> bool:
        """For the worker taking it up late: finish it as lost if its page
        already said it failed (its sender may have asked again meanwhile)."""
        if self.is_running:
            return False
        self.finish(problem=self.LOST)
        return True


def poll_answer(job: WorkerJob) -> HttpResponse:
    """The answer to the waiting page's poll: nothing to show while the job
    runs; once it has ended, a reload shows what came of it."""
    answer = HttpResponse(status=204)
    del answer["Content-Type"]  # no content
    if not job.is_running:
        answer["HX-Refresh"] = "true"
    return answer
