"""Template globals for the log-in partials."""

from auth import bp, providers

bp.add_app_template_global(providers.enabled_providers, "social_login_providers")
bp.add_app_template_global(providers.provider_label, "provider_label")
