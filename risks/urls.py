from django.urls import path

from risks import views

app_name = "risks"
urlpatterns = [
    path("", views.register, name="register"),
    path("heat-map/", views.heat_map, name="heat_map"),
    path("<int:pk>/", views.risk_page, name="risk"),
]
