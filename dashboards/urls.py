from django.urls import path

from dashboards import nordic, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("nordic/", nordic.nordic, name="dashboard-nordic"),
    path(
        "nordic/csv/<slug:chart>/",
        nordic.nordic_download,
        {"export_format": "csv"},
        name="dashboard-nordic-csv",
    ),
    path(
        "nordic/xlsx/<slug:chart>/",
        nordic.nordic_download,
        {"export_format": "xlsx"},
        name="dashboard-nordic-xlsx",
    ),
    path(
        "csv/<slug:chart>/",
        views.dashboard_download,
        {"export_format": "csv"},
        name="dashboard-csv",
    ),
    path(
        "xlsx/<slug:chart>/",
        views.dashboard_download,
        {"export_format": "xlsx"},
        name="dashboard-xlsx",
    ),
    path(
        "municipality/<int:pk>/",
        views.municipality_dashboard,
        name="dashboard-municipality",
    ),
    path(
        "municipality/<int:pk>/csv/<slug:chart>/",
        views.municipality_dashboard_download,
        {"export_format": "csv"},
        name="dashboard-municipality-csv",
    ),
    path(
        "municipality/<int:pk>/xlsx/<slug:chart>/",
        views.municipality_dashboard_download,
        {"export_format": "xlsx"},
        name="dashboard-municipality-xlsx",
    ),
]
