"""Template globals for the log-in partials and the notice of ended sessions."""

from auth import bp, providers, services

bp.add_app_template_global(providers.enabled_providers, "social_login_providers")
bp.add_app_template_global(providers.provider_label, "provider_label")
bp.add_app_template_global(services.sessions_ended_reason, "sessions_ended_reason")
