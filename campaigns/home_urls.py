"""The branch's and the village operator's home pages (included by portal.urls at their place)."""

from django.urls import path

from . import home_views

urlpatterns = [
    path("cabang/", home_views.branch_home, name="branch_home"),
    path("desa/", home_views.village_home, name="village_home"),
]
