"""The municipalities' API endpoint as the project composes it.

``municipalities.api.views.MunicipalityViewSet`` is the endpoint; a volunteer centre in the
profile it writes may link an organisation, and ``organisations`` is an app above
``municipalities``, so the organisations to choose from are given here.
"""

from rest_framework.routers import SimpleRouter

from municipalities.api import views
from organisations.models import Organisation


class MunicipalityViewSet(views.MunicipalityViewSet):
    volunteer_centre_organisations = Organisation.objects.all()


router = SimpleRouter()
router.register("municipalities", MunicipalityViewSet, basename="municipality")

urlpatterns = router.urls
