"""The counties. The municipalities' endpoint is served by ``registry.municipality_api``: a
centre in a municipality's profile links an organisation, an app above this one."""

from rest_framework.routers import SimpleRouter

from municipalities.api.views import CountyViewSet

router = SimpleRouter()
router.register("counties", CountyViewSet, basename="county")

urlpatterns = router.urls
