from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api.views import MembershipViewSet, TokenView, UserViewSet

router = SimpleRouter()
router.register("users", UserViewSet, basename="user")
router.register("memberships", MembershipViewSet, basename="membership")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    *router.urls,
]
