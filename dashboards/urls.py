from django.urls import path

from dashboards import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("csv/<slug:chart>/", views.dashboard_csv, name="dashboard-csv"),
    path(
        "municipality/<int:pk>/",
        views.municipality_dashboard,
        name="dashboard-municipality",
    ),
    path(
        "municipality/<int:pk>/csv/<slug:chart>/",
        views.municipality_dashboard_csv,
        name="dashboard-municipality-csv",
    ),
]
