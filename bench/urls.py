"""Benchmark-only routes, included by config/urls.py when BENCH_ENDPOINTS=1."""

from django.urls import path

from bench.ceiling import CeilingView

urlpatterns = [path("ceiling/", CeilingView.as_view(), name="bench-ceiling")]
