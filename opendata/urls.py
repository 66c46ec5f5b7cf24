from django.urls import path, re_path

from opendata import views

urlpatterns = [
    path("", views.open_data, name="open-data"),
    path("publish/", views.publish_now, name="open-data-publish"),
    path("catalog.jsonld", views.catalog, name="open-data-catalog"),
    re_path(
        r"^dictionary\.(?P<file_format>json|csv)$", views.dictionary, name="open-data-dictionary"
    ),
    path("files/<str:name>", views.download, name="open-data-file"),
]
