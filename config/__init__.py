"""Chirp project package: settings, urls, the Celery app and the dev runner."""

from config.celery import app as celery_app

__all__ = ("celery_app",)
