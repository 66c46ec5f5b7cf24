from django.urls import path

from organisations import views

urlpatterns = [
    path("", views.OrganisationListView.as_view(), name="organisation-list"),
    path("new/", views.organisation_create_view, name="organisation-create"),
    path("verification/", views.verification_queue_view, name="organisation-verification-queue"),
    path("check-number/", views.check_number, name="organisation-check-number"),
    path("<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("<int:pk>/verify/", views.organisation_verify_view, name="organisation-verify"),
    path("<int:pk>/history/", views.organisation_history, name="organisation-history"),
]
