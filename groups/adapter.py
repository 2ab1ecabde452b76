from allauth.account.adapter import DefaultAccountAdapter

from .services import join_pending_invitation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            # Signed up from an invite link: land in that group.
            join_pending_invitation(request=request, user=user)
        return user
