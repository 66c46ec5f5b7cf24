"""Background downloads (``downloads``): a list longer than ``EXPORT_BACKGROUND_ROWS`` (or, in
Excel, than a sheet) becomes a job with a page of its own; the file holds the same rows and
header as the download in the request would, only what its owner may see, and only its owner
may see the page and the file; files and jobs expire."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from downloads import jobs, services
from downloads.models import ExportJob, Status
from partnerships.models import Partnership
from registry import exports
from tests.factories import MunicipalityFactory, PartnershipFactory, UserFactory, analyst

pytestmark = pytest.mark.django_db

PARTNERSHIPS = "/partnerships/"
MUNICIPALITIES = "/municipalities/"
JOB_URL = re.compile(r"^/downloads/([0-9a-f-]{36})/$")


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.EXPORT_BACKGROUND_ROWS = 3
    return settings.EXPORT_ROOT


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_table(raw: bytes, delimiter=",") -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def sheet_values(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def ask(client, capture, url, params, *, run=True):
    """Ask for a download; with ``run`` the job's task runs after the commit (as in the
    embedded default). Returns the response and the job (None if no job)."""
    before = set(ExportJob.objects.values_list("pk", flat=True))
    with capture(execute=run):
        response = client.get(url, params)
    new = ExportJob.objects.exclude(pk__in=before)
    job = new.get() if new.exists() else None
    return response, job


def streamed(client, settings, url, params) -> bytes:
    """The same download written in the request (threshold back to its default)."""
    settings.EXPORT_BACKGROUND_ROWS = 50_000
    try:
        response = client.get(url, params)
        assert response.status_code == 200
        return body(response)
    finally:
        settings.EXPORT_BACKGROUND_ROWS = 3


def active_partnerships(count: int) -> list[Partnership]:
    return [
        PartnershipFactory(
            title=f"Samarbeid {n}",
            status="active",
            start_date=datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
        )
        for n in range(count)
    ]


# --- in the request or in the background ----------------------------------------------------


def test_a_list_up_to_the_threshold_downloads_as_before(client, django_capture_on_commit_callbacks):
    active_partnerships(3)
    response, job = ask(
        client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"}
    )
    assert job is None
    assert response.status_code == 200 and response.streaming
    assert len(csv_table(body(response))) == 1 + 3


def test_a_csv_over_the_threshold_is_a_job_with_the_same_file(
    client, settings, django_capture_on_commit_callbacks
):
    active_partnerships(5)
    params = {"_export": "csv", "delimiter": "semicolon", "status": "active", "sort": "title"}

    response, job = ask(client, django_capture_on_commit_callbacks, PARTNERSHIPS, params)

    assert response.status_code == 303
    assert JOB_URL.match(response["Location"]).group(1) == str(job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_written) == (Status.DONE, 5, 5)
    assert job.list_name == "partnership-list" and job.delimiter == ";"

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ready." in html and "The file holds 5 rows." in html
    assert f'href="/downloads/{job.pk}/file/"' in html
    assert "hx-trigger" not in html  # done: nothing to poll
    assert "<strong>Status:</strong> Active" in html  # the filters in words
    assert "CSV for Excel (semicolon)" in html

    download = client.get(f"/downloads/{job.pk}/file/")
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="partnerships.csv"'
    background = body(download)
    table = csv_table(background, delimiter=";")
    assert len(table) == 1 + 5
    assert [row[1] for row in table[1:]] == [f"Samarbeid {n}" for n in range(5)]
    assert background == streamed(client, settings, PARTNERSHIPS, params)


def test_an_excel_over_the_threshold_is_a_job_with_the_same_sheet(
    client, settings, django_capture_on_commit_callbacks
):
    active_partnerships(4)
    params = {"_export": "xlsx", "headers": "keys"}

    response, job = ask(client, django_capture_on_commit_callbacks, PARTNERSHIPS, params)

    assert response.status_code == 303
    download = client.get(f"/downloads/{job.pk}/file/")
    assert download["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert 'filename="partnerships.xlsx"' in download["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(body(download)))
    reference = openpyxl.load_workbook(io.BytesIO(streamed(client, settings, PARTNERSHIPS, params)))
    assert [ws.title for ws in book.worksheets] == ["Partnerships"]
    rows = sheet_values(book.worksheets[0])
    assert rows[0][:3] == ["id", "title", "status"]  # ?headers=keys kept
    assert len(rows) == 1 + 4
    assert rows == sheet_values(reference.worksheets[0])


def test_an_excel_longer_than_a_sheet_is_spread_over_sheets(
    client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 50_000  # Excel goes to the background for the sheet alone
    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 3)  # the header and two rows
    active_partnerships(5)

    response, job = ask(
        client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "xlsx"}
    )

    assert response.status_code == 303
    job.refresh_from_db()
    assert (job.status, job.rows_written, job.sheets) == (Status.DONE, 5, 3)
    html = client.get(response["Location"]).content.decode()
    assert "spread over 3 sheets" in html
    book = openpyxl.load_workbook(io.BytesIO(body(client.get(f"/downloads/{job.pk}/file/"))))
    assert [ws.title for ws in book.worksheets] == [
        "Partnerships",
        "Partnerships 2",
        "Partnerships 3",
    ]
    sheets = [sheet_values(ws) for ws in book.worksheets]
    assert [len(rows) for rows in sheets] == [3, 3, 2]  # each with the header
    assert all(rows[0] == sheets[0][0] for rows in sheets)
    ids = [row[0] for rows in sheets for row in rows[1:]]
    # Every row once, in the list's order (the CSV, still written in the request).
    csv_ids = [
        int(row[0])
        for row in csv_table(streamed(client, settings, PARTNERSHIPS, {"_export": "csv"}))[1:]
    ]
    assert ids == csv_ids and len(set(ids)) == 5


def test_the_page_shows_progress_and_polls_until_the_job_ends(
    client, django_capture_on_commit_callbacks
):
    active_partnerships(4)
    response, job = ask(
        client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"}, run=False
    )
    assert job.status == Status.QUEUED

    html = client.get(response["Location"]).content.decode()
    region = html.split('id="export-status"', 1)[1].split(">", 1)[0]
    assert 'aria-live="polite"' in region
    assert f'hx-get="/downloads/{job.pk}/progress/"' in region and 'hx-trigger="every 2s"' in region
    assert "Waiting to start" in html and "<progress" in html

    ExportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, rows_total=4, rows_written=2)
    fragment = client.get(f"/downloads/{job.pk}/progress/", headers={"HX-Request": "true"})
    assert fragment.status_code == 200  # polling goes on
    text = fragment.content.decode()
    assert "Being written: 2 of 4 rows (50 %)." in text
    assert 'max="4" value="2"' in text
    assert "<html" not in text

    ExportJob.objects.filter(pk=job.pk).update(
        status=Status.QUEUED, rows_total=None, rows_written=0
    )
    jobs.run(job.pk)
    fragment = client.get(f"/downloads/{job.pk}/progress/", headers={"HX-Request": "true"})
    assert fragment.status_code == 286  # htmx stops polling, and shows it
    assert f'href="/downloads/{job.pk}/file/"' in fragment.content.decode()


def test_rows_written_is_saved_after_every_chunk(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    from partnerships.exports import PartnershipExport

    active_partnerships(5)
    monkeypatch.setattr(PartnershipExport, "chunk_size", 2)
    _, job = ask(
        client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"}, run=False
    )

    with CaptureQueriesContext(connection) as queries:
        assert jobs.run(job.pk) == Status.DONE
    progress = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "downloads_exportjob" SET "rows_written"')
    ]
    assert len(progress) == 3  # chunks of 2, 2 and 1 rows


def test_a_failed_job_says_so(client, django_capture_on_commit_callbacks):
    active_partnerships(4)
    response, job = ask(
        client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"}, run=False
    )
    ExportJob.objects.filter(pk=job.pk).update(list_name="no-such-list")

    assert jobs.run(job.pk) == Status.FAILED
    job.refresh_from_db()
    assert job.error == "This list can no longer be downloaded." and job.file_path == ""
    html = client.get(response["Location"]).content.decode()
    assert "The download failed." in html and "This list can no longer be downloaded." in html
    assert client.get(f"/downloads/{job.pk}/file/").status_code == 302  # back to the page
    assert jobs.run(job.pk) == "skipped"  # a job runs once


def test_the_municipality_list_as_a_job_has_its_export_columns(
    client, settings, django_capture_on_commit_callbacks
):
    oslo = MunicipalityFactory(name="Oslo")
    for n in range(3):
        MunicipalityFactory(name=f"Kommune {n}")
    PartnershipFactory(status="active", links__municipalities=[oslo])
    params = {"_export": "csv", "sort": "name"}

    response, job = ask(client, django_capture_on_commit_callbacks, MUNICIPALITIES, params)

    assert response.status_code == 303 and job.list_name == "municipality-list"
    background = body(client.get(f"/downloads/{job.pk}/file/"))
    table = csv_table(background)
    assert "Established partnerships" in table[0] and len(table) == 1 + 4
    assert background == streamed(client, settings, MUNICIPALITIES, params)


# --- who sees what --------------------------------------------------------------------------


def test_only_the_owner_sees_the_page_and_the_file(client, django_capture_on_commit_callbacks):
    from django.test import Client

    active_partnerships(4)
    owner = UserFactory(username="eier")
    client.force_login(owner)
    _response, job = ask(
        client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"}
    )
    assert job.owner == owner and job.status == Status.DONE
    urls = [f"/downloads/{job.pk}/", f"/downloads/{job.pk}/progress/", f"/downloads/{job.pk}/file/"]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]

    stranger = Client()
    stranger.force_login(UserFactory(username="fremmed"))
    assert [stranger.get(url).status_code for url in urls] == [404, 404, 404]
    assert [Client().get(url).status_code for url in urls] == [404, 404, 404]


def test_an_anonymous_job_belongs_to_its_session(django_capture_on_commit_callbacks):
    from django.test import Client

    active_partnerships(4)
    visitor = Client()
    response, job = ask(
        visitor, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"}
    )
    assert job.owner is None and job.session_key
    assert response.cookies["sessionid"].value == job.session_key
    urls = [f"/downloads/{job.pk}/", f"/downloads/{job.pk}/progress/", f"/downloads/{job.pk}/file/"]
    assert [visitor.get(url).status_code for url in urls] == [200, 200, 200]

    other = Client()
    other.get("/")  # a session of its own
    assert [other.get(url).status_code for url in urls] == [404, 404, 404]
    signed_in = Client()
    signed_in.force_login(UserFactory())
    assert [signed_in.get(url).status_code for url in urls] == [404, 404, 404]


def test_a_job_holds_only_what_its_owner_may_see(roles, django_capture_on_commit_callbacks):
    from django.test import Client

    for n in range(4):  # over the threshold of 3 for everyone
        roles.partnership_in("active", title=f"Offentlig {n}")
    roles.partnership_in("under_review", title="Forslag til kommunen")
    roles.partnership_in("draft", title="Organisasjonens utkast")

    def titles_for(user) -> set[str]:
        client = Client()
        if user is not None:
            client.force_login(user)
        _, job = ask(client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"})
        assert job is not None and job.status == Status.DONE, job and job.error
        table = csv_table(body(client.get(f"/downloads/{job.pk}/file/")))
        assert job.rows_written == len(table) - 1
        return {row[1] for row in table[1:]}

    public = {f"Offentlig {n}" for n in range(4)}
    assert titles_for(None) == public
    assert titles_for(roles.coordinator) == public | {"Forslag til kommunen"}
    assert titles_for(roles.other_coordinator) == public
    assert titles_for(roles.representative) == public | {
        "Forslag til kommunen",
        "Organisasjonens utkast",
    }


def test_a_job_keeps_the_filters_and_sorting(client, django_capture_on_commit_callbacks):
    oslo = MunicipalityFactory(name="Oslo")
    for n in range(4):
        PartnershipFactory(title=f"Oslo {n}", status="active", links__municipalities=[oslo])
    active_partnerships(3)  # elsewhere
    params = {"_export": "csv", "municipality": oslo.pk, "sort": "-title"}

    response, job = ask(client, django_capture_on_commit_callbacks, PARTNERSHIPS, params)

    table = csv_table(body(client.get(f"/downloads/{job.pk}/file/")))
    assert [row[1] for row in table[1:]] == ["Oslo 3", "Oslo 2", "Oslo 1", "Oslo 0"]
    html = client.get(response["Location"]).content.decode()
    assert "Oslo" in html.split("Filters", 1)[1].split("</dd>", 1)[0]


# --- limits ---------------------------------------------------------------------------------


def test_one_owner_has_a_bounded_number_of_unfinished_jobs(
    client, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_JOBS_PER_OWNER = 2
    active_partnerships(4)
    client.force_login(analyst())
    for _ in range(2):
        response, job = ask(
            client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"}, run=False
        )
        assert response.status_code == 303 and job.status == Status.QUEUED

    response, job = ask(
        client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"}, run=False
    )
    assert response.status_code == 429 and job is None
    html = response.content.decode()
    assert "Too many downloads at once" in html and "at most 2 at a time" in html
    assert html.count('href="/downloads/') == 2  # links to the two waiting

    # Once one has ended, another may be asked for.
    jobs.run(ExportJob.objects.order_by("created_at").first().pk)
    response, job = ask(
        client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"}, run=False
    )
    assert response.status_code == 303


def test_asking_for_jobs_is_throttled_like_every_download(
    client, settings, django_capture_on_commit_callbacks
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "exports": "2/hour",
        },
    }
    active_partnerships(4)
    answers = [
        ask(client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"})[
            0
        ].status_code
        for _ in range(3)
    ]
    assert answers == [303, 303, 429]
    assert ExportJob.objects.count() == 2


def test_asking_costs_the_same_for_4_and_40_rows(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(analyst())
    for added in (4, 36):
        active_partnerships(added)
        with django_assert_max_num_queries(14):
            response, _ = ask(
                client,
                django_capture_on_commit_callbacks,
                PARTNERSHIPS,
                {"_export": "csv"},
                run=False,
            )
        assert response.status_code == 303


# --- expiry ---------------------------------------------------------------------------------


def test_files_expire_and_then_jobs_are_forgotten(
    client, settings, export_root, django_capture_on_commit_callbacks
):
    settings.EXPORT_EXPIRY_HOURS = 24
    settings.EXPORT_FORGET_DAYS = 7
    active_partnerships(4)
    response, job = ask(
        client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"}
    )
    path = export_root / job.file_path
    assert path.is_file()
    stray = export_root / "left-over.csv"
    stray.write_text("x")
    now = timezone.now()

    counts = jobs.expire(now + datetime.timedelta(hours=23))
    assert counts["expired"] == 0 and counts["orphans"] == 1  # a file of no job goes
    assert path.is_file() and not stray.exists()

    counts = jobs.expire(now + datetime.timedelta(hours=25))
    assert counts["expired"] == 1
    assert not path.exists()
    job.refresh_from_db()
    assert job.status == Status.EXPIRED and job.file_path == ""
    html = client.get(response["Location"]).content.decode()
    assert "This download has expired." in html
    assert client.get(f"/downloads/{job.pk}/file/").status_code == 302

    assert jobs.expire(now + datetime.timedelta(days=8, hours=1))["deleted"] == 1
    assert not ExportJob.objects.filter(pk=job.pk).exists()
    assert client.get(response["Location"]).status_code == 404


def test_a_job_past_its_time_says_expired_before_the_sweep(
    client, django_capture_on_commit_callbacks
):
    active_partnerships(4)
    response, job = ask(
        client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"}
    )
    ExportJob.objects.filter(pk=job.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert "This download has expired." in client.get(response["Location"]).content.decode()
    assert client.get(f"/downloads/{job.pk}/file/").status_code == 302


def test_a_job_lost_with_its_worker_is_marked_failed(client, django_capture_on_commit_callbacks):
    active_partnerships(4)
    _response, job = ask(
        client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"}, run=False
    )
    ExportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=timezone.now())

    assert jobs.expire(timezone.now() + datetime.timedelta(minutes=30))["failed"] == 0
    assert (
        jobs.expire(timezone.now() + jobs.STALE_AFTER + datetime.timedelta(minutes=1))["failed"]
        == 1
    )
    job.refresh_from_db()
    assert job.status == Status.FAILED and "interrupted" in job.error


def test_the_expiry_runs_from_celery_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["expire-export-jobs"]
    assert entry["task"] == "downloads.tasks.expire_export_jobs"
    from downloads.tasks import expire_export_jobs

    assert expire_export_jobs.name == entry["task"]


def test_the_database_refuses_impossible_jobs(client, django_capture_on_commit_callbacks):
    from django.db import IntegrityError, transaction

    active_partnerships(4)
    _, job = ask(client, django_capture_on_commit_callbacks, PARTNERSHIPS, {"_export": "csv"})
    for change in (
        {"status": "nonsense"},
        {"rows_written": job.rows_total + 1},
        {"file_path": ""},  # done without a file
        {"status": Status.FAILED, "file_path": job.file_path, "error": ""},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ExportJob.objects.filter(pk=job.pk).update(**change)


def test_filters_are_described_in_words():
    from django import forms

    class Form(forms.Form):
        status = forms.MultipleChoiceField(
            label="Status", choices=[("active", "Active"), ("draft", "Draft")]
        )
        q = forms.CharField(label="Search", required=False)
        verified = forms.NullBooleanField(label="Verified", required=False)

    form = Form(data={"status": ["active", "draft"], "q": "kor", "verified": "false"})
    assert form.is_valid()
    assert services.describe_filters(form) == [
        ["Status", "Active, Draft"],
        ["Search", "kor"],
        ["Verified", "No"],
    ]
