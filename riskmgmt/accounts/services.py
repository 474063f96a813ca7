from django.contrib.auth import get_user_model

SYSTEM_USERNAME = "system"


def system_user():
    """The account that files on behalf of the public complaint form; it cannot log in."""
    User = get_user_model()
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, first_name="Systemet", is_active=False)
        user.set_unusable_password()
        user._change_reason = "system_user"
        user.save()
    return user
