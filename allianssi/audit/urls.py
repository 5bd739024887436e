from django.urls import path

from allianssi.audit import views

app_name = "audit"
urlpatterns = [
    path(
        "alliances/<int:pk>/audit/checkpoint/",
        views.checkpoint_download,
        name="checkpoint",
    ),
    path("audit/checkpoint-key.pem", views.public_key_download, name="public_key"),
]
