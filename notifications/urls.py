from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("<int:pk>/", views.notification_open, name="notification-open"),
    path("read/", views.notification_mark_all_read, name="notification-mark-all-read"),
    path("preferences/", views.notification_preferences, name="notification-preferences"),
]
