from rest_framework.routers import DefaultRouter

from goals.api import views

app_name = "goals-api"

router = DefaultRouter()
router.register("periods", views.ReportingPeriodViewSet, basename="period")

urlpatterns = router.urls
