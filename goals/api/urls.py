from rest_framework.routers import DefaultRouter

from goals.api import views

app_name = "goals-api"

router = DefaultRouter()
router.register("periods", views.ReportingPeriodViewSet, basename="period")
router.register("main-goals", views.MainGoalViewSet, basename="main-goal")
router.register("result-requirements", views.ResultRequirementViewSet, basename="requirement")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("deliverables", views.DeliverableViewSet, basename="deliverable")
router.register("indicator-values", views.IndicatorValueViewSet, basename="indicator-value")
router.register("status-updates", views.StatusUpdateViewSet, basename="status-update")
router.register("narratives", views.NarrativeViewSet, basename="narrative")
router.register("feedback", views.FeedbackViewSet, basename="feedback")

urlpatterns = router.urls
