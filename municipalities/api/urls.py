from rest_framework.routers import SimpleRouter

from municipalities.api.views import CountyViewSet, MunicipalityViewSet

router = SimpleRouter()
router.register("counties", CountyViewSet, basename="county")
router.register("municipalities", MunicipalityViewSet, basename="municipality")

urlpatterns = router.urls
