from django.urls import path

from . import follow_up_views

urlpatterns = [
    path(
        "pendaftaran/<int:pk>/tindak-lanjut/",
        follow_up_views.follow_up_create,
        name="follow_up_create",
    ),
    path(
        "pendaftaran/<int:pk>/tindak-lanjut/cepat/",
        follow_up_views.follow_up_quick,
        name="follow_up_quick",
    ),
    path(
        "pendaftaran/segera-berakhir/cetak/",
        follow_up_views.lapsing_print,
        name="lapsing_print",
    ),
]
