from django.apps import AppConfig


class BenchConfig(AppConfig):
    """No models: the app is installed for its ``bench_data`` command."""

    name = "bench"
