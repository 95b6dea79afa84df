from rest_framework.routers import DefaultRouter

from budget.api import views

app_name = "budget-api"

router = DefaultRouter()
router.register("chapters", views.ChapterViewSet, basename="chapter")
router.register("posts", views.PostViewSet, basename="post")
router.register("sub-posts", views.SubPostViewSet, basename="sub-post")
router.register("sub-post-lines", views.SubPostLineViewSet, basename="sub-post-line")
router.register("controls", views.ControlViewSet, basename="control")

urlpatterns = router.urls
