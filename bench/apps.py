from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmarks (issue 5): seed_bench, bench_search, the ceiling endpoint; installed only with BENCH_ENDPOINTS=1."""

    name = "bench"
    default_auto_field = "django.db.models.BigAutoField"
