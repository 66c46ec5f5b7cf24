from django.urls import path

from accounts import invitation_views

urlpatterns = [
    path("<str:key>/", invitation_views.invitation_detail, name="invitation-detail"),
    path("revoke/<int:pk>/", invitation_views.invitation_revoke_view, name="invitation-revoke"),
]
