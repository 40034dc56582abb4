from django.urls import path

from . import claim_views, public, setup_views, views

urlpatterns = [
    path("perjanjian/", views.AgreementListView.as_view(), name="agreement_list"),
    path("perjanjian/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
    path("perjanjian/<int:pk>/dokumen/", views.agreement_document, name="agreement_document"),
    path("kampanye/", views.campaign_list, name="campaign_list"),
    path("kampanye/baru/", setup_views.campaign_create, name="campaign_create"),
    path("kampanye/<slug:slug>/", views.campaign_dashboard, name="campaign_dashboard"),
    path("kampanye/<slug:slug>/desa/", views.campaign_villages, name="campaign_villages"),
    path("kampanye/<slug:slug>/agen/", views.campaign_agents, name="campaign_agents"),
    path(
        "kampanye/<slug:slug>/desa.<str:fmt>",
        views.campaign_villages_export,
        name="campaign_villages_export",
    ),
    path("kampanye/<slug:slug>/ubah/", setup_views.campaign_edit, name="campaign_edit"),
    path(
        "kampanye/<slug:slug>/anggaran/<str:village_code>/",
        setup_views.budget_planner,
        name="budget_planner",
    ),
    path("kegiatan/", setup_views.event_list, name="event_list"),
    path("kegiatan/baru/", setup_views.event_create, name="event_create"),
    path("peringkat/", public.public_campaigns, name="public_campaigns"),
    path("peringkat/<slug:slug>/", public.leaderboard, name="public_leaderboard"),
    path("klaim/", claim_views.claim_list, name="claim_list"),
]
