from django.urls import path

from bench.baseline import views

urlpatterns = [
    path("tabell/", views.table),
    path("pdf/<int:frozen_id>/", views.pdf),
]
