from django.urls import path

from measures import views

app_name = "measures"
urlpatterns = [
    path("<int:pk>/", views.measure_page, name="measure"),
    path("actions/<int:pk>/", views.action_page, name="action"),
]
