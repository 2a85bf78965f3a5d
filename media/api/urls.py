from django.urls import path

from media.api import views

urlpatterns = [
    path("media/", views.MediaUploadView.as_view(), name="media-upload"),
    path("media/<str:media_id>/", views.MediaDetailView.as_view(), name="media-detail"),
]
