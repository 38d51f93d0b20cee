"""Two-factor sign-in pages in the access matrix (see bangfu/core/tests/matrix.py).

Every signed-in role may enrol (the matrix users have no device, and demo
mode requires none): the token page and the POST actions send them on; only
the security administrator resets another user's device.
"""

from bangfu.core.tests.matrix import Row, all_admin_roles, everyone

EVERYONE_200 = everyone(200, **all_admin_roles(200))
EVERYONE_302 = everyone(302, **all_admin_roles(302))
POST_ONLY = everyone(405, **all_admin_roles(405))
SECADMIN = everyone(403, secadmin=200)

ROWS = [
    Row("otp:manage", get=EVERYONE_200),
    # An empty POST is a refused token: the form again, with its message.
    Row("otp:setup", get=EVERYONE_200, post=EVERYONE_200),
    # Without a device there is nothing to verify: sent on.
    Row("otp:verify", get=EVERYONE_302, post=EVERYONE_302),
    Row("otp:backup_codes", get=POST_ONLY, post=EVERYONE_302),
    Row("otp:remove", get=POST_ONLY, post=EVERYONE_302),
    Row("otp:reset", get=SECADMIN, post=SECADMIN),
]
