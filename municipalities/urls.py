from django.urls import path

from municipalities import views

urlpatterns = [
    path("", views.MunicipalityListView.as_view(), name="municipality-list"),
    path("<int:pk>/", views.municipality_detail, name="municipality-detail"),
    path("<int:pk>/edit/", views.municipality_edit, name="municipality-edit"),
    path("counties/<int:pk>/", views.county_detail, name="county-detail"),
]
