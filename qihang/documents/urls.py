from django.urls import path

from qihang.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("<int:document_id>/", views.document_detail, name="detail"),
    path("<int:document_id>/pdf/", views.document_pdf, name="pdf"),
    path("<int:document_id>/revoke/", views.document_revoke, name="revoke"),
    path("dossier/", views.dossier_mine, name="dossier_mine"),
    path("dossier/export/", views.dossier_export, name="dossier_export"),
    path("dossier/<int:graduate_id>/", views.dossier_detail, name="dossier"),
    path("dossier/<int:graduate_id>/edit/", views.dossier_edit, name="dossier_edit"),
    path("recommendation/", views.recommendation_mine, name="recommendation_mine"),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path(
        "recommendations/<int:recommendation_id>/",
        views.recommendation_detail,
        name="recommendation_detail",
    ),
    *(
        path(
            f"recommendations/<int:recommendation_id>/{action}/",
            views.recommendation_act,
            {"action": action},
            name=f"recommendation_{action}",
        )
        for action in ("assess", "return", "approve", "reissue")
    ),
]
