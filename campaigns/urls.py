from django.urls import path

from . import views

urlpatterns = [
    path("perjanjian/", views.AgreementListView.as_view(), name="agreement_list"),
    path("perjanjian/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
    path("perjanjian/<int:pk>/dokumen/", views.agreement_document, name="agreement_document"),
]
