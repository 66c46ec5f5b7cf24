from django.urls import path

from downloads import views

urlpatterns = [
    path("<uuid:pk>/", views.job_detail, name="export-job"),
    path("<uuid:pk>/progress/", views.job_progress, name="export-job-progress"),
    path("<uuid:pk>/file/", views.job_file, name="export-job-file"),
]
