"""The statistics endpoints, included under ``/api/v1/stats/``."""

from django.urls import path

from dashboards.api import stats

urlpatterns = [
    path("fields/", stats.StatsFieldsView.as_view(), name="stats-fields"),
    path("co-creation/", stats.StatsCoCreationView.as_view(), name="stats-co-creation"),
    path("initiators/", stats.StatsInitiatorsView.as_view(), name="stats-initiators"),
    path("agreements/", stats.StatsAgreementsView.as_view(), name="stats-agreements"),
    path("forms/", stats.StatsFormsView.as_view(), name="stats-forms"),
    path("factors/", stats.StatsFactorsView.as_view(), name="stats-factors"),
    path("outcomes/", stats.StatsOutcomesView.as_view(), name="stats-outcomes"),
    path("trend/", stats.StatsTrendView.as_view(), name="stats-trend"),
    path("counties/", stats.StatsCountiesView.as_view(), name="stats-counties"),
]
