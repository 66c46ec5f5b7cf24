"""The registry's URLs plus the naive viewset of ``bench.baselines`` (``/naive/partnerships/``),
for ``override_settings(ROOT_URLCONF="bench.urls")``."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from bench.baselines import NaivePartnershipViewSet

router = SimpleRouter()
router.register("naive/partnerships", NaivePartnershipViewSet, basename="naive-partnership")

urlpatterns = [*router.urls, path("", include("registry.urls"))]
