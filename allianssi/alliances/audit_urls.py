"""The ``audit`` downloads: an alliance's signed checkpoint, read from the alliance's audit page
(scoped to the alliance and its readers, so served by the alliances app), and the public key that
checkpoints are signed with (the audit app's own)."""

from django.urls import path

from allianssi.alliances import views
from allianssi.audit import views as audit_views

app_name = "audit"
urlpatterns = [
    path("alliances/<int:pk>/audit/checkpoint/", views.audit_checkpoint, name="checkpoint"),
    path("audit/checkpoint-key.pem", audit_views.public_key_download, name="public_key"),
]
