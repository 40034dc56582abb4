"""The roles and the named sets of them that pages open to: the one place a set of roles is
written. A user's role is its `role` field (User.Role, whose values are these);
portal.access.role_required and RoleRequiredMixin check a view against one of these sets."""

ADMIN = "admin"
BRANCH_STAFF = "branch_staff"
VILLAGE_OPERATOR = "village_operator"

ANY_ROLE = (ADMIN, BRANCH_STAFF, VILLAGE_OPERATOR)
# Admins and branch staff: verify registrations, manage accounts, campaigns and agents' pay,
# see KPJ numbers (User.may_see_kpj).
STAFF = (ADMIN, BRANCH_STAFF)
# Admins and village operators: change or withdraw a registration the village entered.
REGISTRATION_EDITORS = (ADMIN, VILLAGE_OPERATOR)
ADMIN_ONLY = (ADMIN,)
BRANCH_STAFF_ONLY = (BRANCH_STAFF,)
VILLAGE_OPERATOR_ONLY = (VILLAGE_OPERATOR,)


def has_any_role(user, roles: tuple[str, ...]) -> bool:
    """Whether the user holds one of `roles`: a superuser counts as an admin, branch staff need
    their office and an operator their village (User.is_admin, is_branch_staff,
    is_village_operator). Whether the account is active is the caller's question."""
    return (
        (ADMIN in roles and user.is_admin)
        or (BRANCH_STAFF in roles and user.is_branch_staff)
        or (VILLAGE_OPERATOR in roles and user.is_village_operator)
    )
