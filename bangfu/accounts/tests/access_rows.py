"""This app's rows of the access matrix (see bangfu/core/tests/matrix.py).

Separation of duties (三员分立): the account pages are the system
administrator's, the role and unlock pages the security administrator's;
every other role gets 403. Everyone signed in sees their own profile.
"""

from bangfu.core.tests.matrix import Row, all_admin_roles, everyone


def _helper(w):
    return {"pk": w.helper.pk}


SYSADMIN = everyone(403, sysadmin=200)
SECADMIN = everyone(403, secadmin=200)
# POST-only actions: any signed-in role's GET is 405 (the method is checked first).
POST_ONLY = everyone(405, **all_admin_roles(405))

ROWS = [
    Row("accounts:profile", get=everyone(200, **all_admin_roles(200))),
    # The system administrator: accounts.
    Row("accounts:user_list", get=SYSADMIN),
    Row("accounts:user_create", get=SYSADMIN, post=SYSADMIN),
    Row("accounts:user_edit", kwargs=_helper, get=SYSADMIN, post=SYSADMIN),
    Row("accounts:user_disable", kwargs=_helper, get=POST_ONLY, post=everyone(403, sysadmin=302)),
    Row("accounts:user_enable", kwargs=_helper, get=POST_ONLY, post=everyone(403, sysadmin=302)),
    Row("accounts:user_password", kwargs=_helper, get=SYSADMIN, post=SYSADMIN),
    # The security administrator: roles and unlocking.
    Row("accounts:role_list", get=SECADMIN),
    Row("accounts:role_grant", kwargs=_helper, get=SECADMIN, post=SECADMIN),
    Row("accounts:organisation_suggest", get=SECADMIN),
    Row("accounts:unlock_list", get=SECADMIN),
    Row("accounts:unlock", get=POST_ONLY, post=everyone(403, secadmin=302)),
]
