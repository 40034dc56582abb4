"""The village-data pages (the villages' counts), at the paths they always had."""

from django.urls import path

from . import village_data_views as views

urlpatterns = [
    path("desa-data/", views.village_data_list, name="village_data_list"),
    path("desa-data/impor/", views.village_data_import, name="village_data_import"),
    path("desa-data/<str:code>/ubah/", views.village_data_edit, name="village_data_edit"),
]
