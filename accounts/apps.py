from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models import CharField, EmailField
        from django.db.models.functions import Lower

        # `username__lower=` compiles to LOWER(username) = ..., which uses the
        # functional unique index (iexact would compile to UPPER and miss it).
        CharField.register_lookup(Lower)
        EmailField.register_lookup(Lower)
