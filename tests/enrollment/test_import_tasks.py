"""Long imports on the task worker: the upload queues the check and returns at once, the page
shows the progress while the worker checks the file to the end; without a worker, with the
queue down or with the worker away, the page checks the file itself and never fails."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from enrollment import import_services, tasks
from enrollment.models import ImportBatch

from .test_import_views import as_csv, resident, upload_ok

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A queue nothing takes tasks from: a worker that has not got to the batch yet.
WAITING_QUEUE = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def small_steps(monkeypatch):
    """Steps of two rows, so that five rows take three steps."""
    monkeypatch.setattr(import_services, "IMPORT_CHECK_CHUNK", 2)
    monkeypatch.setattr(tasks, "STEP_SECONDS", 0)


def five_rows(world) -> bytes:
    return as_csv([resident(world.socorejo) for _ in range(5)])


@pytest.mark.django_db(transaction=True)
def test_the_worker_checks_an_uploaded_file_to_the_end(
    client, operator, world, settings, small_steps
):
    """Through the real database queue and `manage.py db_worker`: the upload only queues the
    check, the page waits for the worker, the worker checks every row in steps."""
    settings.TASKS = DATABASE_QUEUE
    client.force_login(operator)
    batch = upload_ok(client, five_rows(world))
    assert (batch.status, batch.rows_checked, batch.rows.count()) == ("checking", 0, 0)
    queued = DBTaskResult.objects.get()
    assert (queued.status, queued.args_kwargs["args"]) == ("READY", [batch.pk])

    page = client.get(batch.get_absolute_url()).text
    assert '<meta http-equiv="refresh" content="1">' in page
    assert "0 baris sudah diperiksa." in page
    assert batch.rows.count() == 0  # the page left the file to the worker

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    batch.refresh_from_db()
    assert (batch.status, batch.new_count, batch.rows.count()) == ("checked", 5, 5)
    queued.refresh_from_db()
    assert (queued.status, queued.return_value) == ("SUCCESSFUL", "checked")
    page = client.get(batch.get_absolute_url()).text
    assert 'data-testid="new-count">5<' in page


def test_the_upload_returns_at_once_and_the_page_shows_the_workers_progress(
    client, operator, world, settings, small_steps
):
    settings.TASKS = WAITING_QUEUE
    client.force_login(operator)
    batch = upload_ok(client, five_rows(world))
    assert (batch.status, batch.rows.count()) == ("checking", 0)
    [queued] = tasks.import_check.get_backend().results
    assert queued.args == [batch.pk]

    import_services.import_batch_check(batch=batch, seconds=0)  # the worker's first step
    page = client.get(batch.get_absolute_url()).text
    assert "2 baris sudah diperiksa." in page
    assert '<progress value="40" max="100">' in page
    batch.refresh_from_db()
    assert batch.rows_checked == 2  # the page itself checked nothing

    assert tasks.import_check.call(batch.pk) == "checked"  # the worker carries on to the end
    batch.refresh_from_db()
    assert (batch.status, batch.new_count, batch.rows.count()) == ("checked", 5, 5)
    assert 'data-testid="new-count">5<' in client.get(batch.get_absolute_url()).text


def test_the_worker_carries_on_where_the_pages_left_off(operator, world, small_steps):
    """Page steps and the worker's steps on one batch: every row checked exactly once."""
    upload = import_services.import_batch_start(
        upload=SimpleUploadedFile("daftar.csv", five_rows(world)), by=operator
    )
    import_services.import_batch_check(batch=upload, seconds=0)
    assert tasks.import_check.call(upload.pk) == "checked"
    upload.refresh_from_db()
    assert (upload.new_count, upload.rows.count()) == (5, 5)
    assert tasks.import_check.call(upload.pk) == "checked"  # again: nothing left to do
    assert upload.rows.count() == 5


def test_a_file_the_worker_refuses_shows_its_reason_on_the_page(client, operator, world, settings):
    """With a worker, a refusal found further down the file is told on the preview page (the
    upload has already returned)."""
    settings.TASKS = WAITING_QUEUE
    client.force_login(operator)
    rows = [resident(world.socorejo, **{"Kode Desa": "35.23.08.2016"})]  # another village
    batch = upload_ok(client, as_csv(rows))
    assert tasks.import_check.call(batch.pk) == "refused"
    page = client.get(batch.get_absolute_url())
    assert page.status_code == 200
    assert "Berkas berisi baris untuk desa lain (kode 35.23.08.2016)." in page.text


def test_with_the_queue_down_the_upload_checks_the_file_itself(
    client, operator, world, settings, monkeypatch, caplog
):
    settings.TASKS = DATABASE_QUEUE

    def queue_down(self, task, args, kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(DatabaseBackend, "enqueue", queue_down)
    client.force_login(operator)
    batch = upload_ok(client, five_rows(world))
    assert (batch.status, batch.new_count) == ("checked", 5)
    assert client.get(batch.get_absolute_url()).status_code == 200
    assert "Could not queue the check of import" in caplog.text


def test_a_task_left_waiting_too_long_is_taken_over_by_the_page(
    client, operator, world, settings, monkeypatch
):
    """The worker is down or busy: after QUEUE_PATIENCE the page checks the file itself."""
    settings.TASKS = WAITING_QUEUE
    client.force_login(operator)
    batch = upload_ok(client, five_rows(world))
    monkeypatch.setattr(tasks, "QUEUE_PATIENCE", datetime.timedelta(0))
    assert 'data-testid="new-count">5<' in client.get(batch.get_absolute_url()).text


def test_a_task_whose_worker_died_is_taken_over_by_the_page(client, operator, world, settings):
    """Running for longer than RUN_PATIENCE: its worker died in the middle (the batch's lock
    went with its transaction), the page carries on."""
    settings.TASKS = DATABASE_QUEUE
    client.force_login(operator)
    batch = upload_ok(client, five_rows(world))
    DBTaskResult.objects.update(
        status="RUNNING", started_at=timezone.now() - tasks.RUN_PATIENCE - datetime.timedelta(1)
    )
    assert 'data-testid="new-count">5<' in client.get(batch.get_absolute_url()).text


def test_a_pruned_task_result_leaves_the_check_to_the_page(client, operator, world, settings):
    settings.TASKS = DATABASE_QUEUE
    client.force_login(operator)
    batch = upload_ok(client, five_rows(world))
    DBTaskResult.objects.all().delete()
    assert 'data-testid="new-count">5<' in client.get(batch.get_absolute_url()).text
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED


def test_without_a_worker_nothing_is_queued_and_the_upload_checks_the_first_step(
    client, operator, world
):
    """Django's immediate backend (no TASK_WORKER): the pages check the file, as before."""
    assert not tasks.runs_in_worker()
    client.force_login(operator)
    batch = upload_ok(client, five_rows(world))
    assert (batch.status, batch.new_count) == ("checked", 5)
    assert not DBTaskResult.objects.exists()
