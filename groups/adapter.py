from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.db import transaction

from .services import join_pending_invitation


class AccountAdapter(DefaultAccountAdapter):
    def confirm_email(self, request, email_address) -> bool:
        confirmed = super().confirm_email(request, email_address)
        confirmer = request.user
        if confirmed and (not confirmer.is_authenticated or confirmer.pk == email_address.user_id):
            # Opened an invite link before the address was confirmed: join now.
            group = join_pending_invitation(request=request, user=email_address.user)
            if group is not None:
                messages.success(request, f"Welcome to {group.name}.")
        return confirmed

    def set_password(self, user, password) -> None:
        # A changed or reset password shuts out whoever knew the old one: their
        # sessions end (Django's session hash, which live tickets carry too) and
        # so do the API tokens they made.
        with transaction.atomic():
            super().set_password(user, password)
            user.api_tokens.all().delete()
