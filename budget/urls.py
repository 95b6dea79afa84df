from django.urls import path

from budget import views

app_name = "budget"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:period>/", views.period_index, name="period"),
    path("<str:period>/kontroller/", views.controls, name="controls"),
    path("<str:period>/kapittel/<str:chapter>/", views.chapter, name="chapter"),
    path("<str:period>/kapittel/<str:chapter>/post/<str:post>/", views.post, name="post"),
    path("<str:period>/eksport/<str:table>.<str:fmt>", views.export, name="export"),
]
