from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmarks (issue 5): the seed_bench command and, with BENCH_ENDPOINTS=1, the ceiling endpoint."""

    name = "bench"
    default_auto_field = "django.db.models.BigAutoField"
