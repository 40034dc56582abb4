"""Work done by the task worker (`manage.py db_worker`): checking uploaded spreadsheets.

With TASK_WORKER on, the upload hands its batch to the worker and returns at once; the preview
page only shows the progress, reloading itself. When nothing runs tasks outside the request
(Django's immediate backend: no TASK_WORKER, and the tests), when the queue cannot be reached,
or when the worker leaves the task waiting too long, the page checks the file itself, a step
per load, as it always did. Both ways can meet on one batch:
import_services.import_batch_check locks it, so a step is never checked twice."""

import datetime
import logging
import time

from django.tasks import TaskResultStatus, task
from django.tasks.backends.immediate import ImmediateBackend
from django.utils import timezone

from . import import_services
from .models import ImportBatch

logger = logging.getLogger(__name__)

# Each step commits, so the preview page (another connection) sees the rows checked so far.
STEP_SECONDS = 2.0
# A task still waiting after this long: the worker is down or busy, the page carries on.
QUEUE_PATIENCE = datetime.timedelta(seconds=30)
# A 20,000-row file is checked in well under a minute; a task "running" for this long belongs
# to a worker that died in the middle of it.
RUN_PATIENCE = datetime.timedelta(minutes=10)
# While a page request holds the batch for a step, the worker waits; this long, and it leaves
# the rest to the page.
LOCKED_PATIENCE_SECONDS = 60.0
SESSION_KEY = "import_check_tasks"


@task
def import_check(batch_id: int) -> str:
    """Check an import batch to the end (status checked or refused), a committed step at a
    time, carrying on from wherever a page request left it. Returns the batch's status."""
    locked_since = None
    while True:
        batch = ImportBatch.objects.filter(pk=batch_id).first()
        if batch is None:
            return "deleted"
        if batch.status != ImportBatch.Status.CHECKING:
            return batch.status
        before = batch.rows_read
        batch = import_services.import_batch_check(batch=batch, seconds=STEP_SECONDS)
        if batch.status != ImportBatch.Status.CHECKING or batch.rows_read != before:
            locked_since = None
            continue
        # No step was taken: a page request is checking one right now.
        locked_since = locked_since or time.monotonic()
        if time.monotonic() - locked_since > LOCKED_PATIENCE_SECONDS:
            return batch.status
        time.sleep(0.5)


def runs_in_worker() -> bool:
    """Whether tasks run in a worker process. Django's immediate backend (the default) runs
    them inside the request, which would make the upload wait for the whole file."""
    return not isinstance(import_check.get_backend(), ImmediateBackend)


def import_check_enqueue(request, batch: ImportBatch) -> bool:
    """Hand the batch to the worker. False when no worker runs tasks or the queue cannot be
    reached: the caller then checks the file itself."""
    if not runs_in_worker():
        return False
    try:
        result = import_check.enqueue(batch.pk)
    except Exception:
        # Whatever the backend raises when its queue is down (a database or network error):
        # the import goes on without it, so the user sees no error page.
        logger.exception("Could not queue the check of import %s; the page checks it", batch.pk)
        return False
    # The page asks after this task; only the uploader ever sees the batch.
    tasks = request.session.get(SESSION_KEY, {})
    tasks[str(batch.pk)] = str(result.id)
    request.session[SESSION_KEY] = dict(list(tasks.items())[-20:])
    return True


def worker_on_it(request, batch: ImportBatch) -> bool:
    """Whether the worker has this batch in hand: its task has waited in the queue for less
    than QUEUE_PATIENCE, or has been running for less than RUN_PATIENCE."""
    result_id = request.session.get(SESSION_KEY, {}).get(str(batch.pk))
    if result_id is None:
        return False
    try:
        result = import_check.get_result(result_id)
    except Exception:
        # The result is gone (pruned), or the queue cannot be reached: the page carries on.
        logger.warning("No result for the check task of import %s", batch.pk, exc_info=True)
        return False
    if result.status == TaskResultStatus.READY:
        since, patience = result.enqueued_at, QUEUE_PATIENCE
    elif result.status == TaskResultStatus.RUNNING:
        since, patience = result.started_at, RUN_PATIENCE
    else:
        return False  # finished, or failed with the batch still checking
    return since is not None and timezone.now() - since < patience
