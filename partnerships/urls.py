from django.urls import path, re_path

from partnerships import views
from partnerships.workflow import TRANSITIONS

urlpatterns = [
    path("", views.PartnershipListView.as_view(), name="partnership-list"),
    path("new/", views.partnership_create, name="partnership-create"),
    path("derived-type/", views.derived_type, name="partnership-derived-type"),
    path("inbox/", views.inbox, name="inbox"),
    path("mine/", views.my_partnerships, name="my-partnerships"),
    path("<int:pk>/", views.partnership_detail, name="partnership-detail"),
    path("<int:pk>/edit/", views.partnership_edit, name="partnership-edit"),
    path("<int:pk>/history/", views.partnership_history, name="partnership-history"),
    re_path(
        r"^(?P<pk>[0-9]+)/link/(?P<answer>confirm|decline)/$",
        views.link_answer,
        name="partnership-link-answer",
    ),
    re_path(
        r"^(?P<pk>[0-9]+)/(?P<action>{})/$".format("|".join(TRANSITIONS)),
        views.partnership_transition_view,
        name="partnership-transition",
    ),
]
