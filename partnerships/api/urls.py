from rest_framework.routers import SimpleRouter

from partnerships.api.views import PartnershipViewSet

router = SimpleRouter()
router.register("partnerships", PartnershipViewSet, basename="partnership")

urlpatterns = router.urls
