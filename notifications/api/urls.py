from django.urls import path

from notifications.api import views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/unread_count/", views.UnreadCountView.as_view(), name="notifications-unread-count"),
    path("notifications/read/", views.MarkReadView.as_view(), name="notifications-read"),
]
