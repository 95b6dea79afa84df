from rest_framework.routers import DefaultRouter

from settlement.api import views

app_name = "settlement-api"

router = DefaultRouter()
router.register("statistics", views.StatisticsViewSet, basename="statistics")

urlpatterns = router.urls
