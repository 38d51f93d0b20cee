# The audit trail is not in the Django admin: the security auditor reads and
# exports it on /audit/ (bangfu.audit.views), and the system administrator,
# the only account with admin access, may not read it (separation of duties).
