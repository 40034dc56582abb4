from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from . import roles


class User(AbstractUser):
    """A portal account. Its role decides what it sees: admins everything, branch staff their
    office's coverage area, village operators their own village."""

    class Role(models.TextChoices):
        ADMIN = roles.ADMIN, _("Administrator")
        BRANCH_STAFF = roles.BRANCH_STAFF, _("Branch staff")
        VILLAGE_OPERATOR = roles.VILLAGE_OPERATOR, _("Village operator")

    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.VILLAGE_OPERATOR)
    branch_office = models.ForeignKey(
        "villages.BranchOffice",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("branch office"),
    )
    village = models.ForeignKey(
        "villages.Village",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="operators",
        verbose_name=_("village"),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_(
            "Set for accounts an administrator created: the first login asks for a new password."
        ),
    )
    session_generation = models.PositiveIntegerField(
        _("session generation"),
        default=0,
        editable=False,
        help_text=_("Raised to end every open session of the account at once."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=[("id", _("Indonesian")), ("en", _("English"))],
        default="id",
        help_text=_(
            "For e-mails and notifications; the portal's pages follow the language cookie."
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="branch_staff") | Q(branch_office__isnull=False),
                name="user_branch_staff_has_office",
                violation_error_message=_("Branch staff must belong to a branch office."),
            ),
            models.CheckConstraint(
                condition=~Q(role="village_operator") | Q(village__isnull=False),
                name="user_operator_has_village",
                violation_error_message=_("A village operator must belong to a village."),
            ),
        ]

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def is_branch_staff(self) -> bool:
        return self.role == self.Role.BRANCH_STAFF and self.branch_office_id is not None

    @property
    def is_village_operator(self) -> bool:
        return self.role == self.Role.VILLAGE_OPERATOR and self.village_id is not None

    def _get_session_auth_hash(self, secret=None):
        """Django's hash of the password, which every request compares with the one its session
        holds, here also covering session_generation: raising it ends every session opened
        before (portal.user_sessions). Unchanged while the generation is 0."""
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "portal.models.User.session_generation",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_admin_or_branch_staff(self) -> bool:
        """Holds one of portal.roles.STAFF (whether active or not)."""
        return roles.has_any_role(self, roles.STAFF)

    @property
    def may_see_kpj(self) -> bool:
        """The one rule for KPJ membership numbers, asked by pages, exports, notifications and
        e-mails: BPJS does not hand them to villages (a KPJ is tied to the member's balance), so
        only admins and branch staff see one."""
        return self.is_admin_or_branch_staff

    def get_home_url(self) -> str:
        """Where this user lands after logging in."""
        if self.is_admin:
            return reverse("admin:index")
        if self.is_branch_staff:
            return reverse("branch_home")
        if self.is_village_operator:
            return reverse("village_home")
        return reverse("no_role")


class AuditEvent(models.Model):
    """Who saw or did what with personal data: viewed a full NIK, exported a list, imported or
    changed registrations. Written only by portal.audit.audit_record, once, never edited (the
    admin shows it read-only)."""

    class Action(models.TextChoices):
        VIEW_NIK = "view_nik", _("Viewed a full NIK")
        EXPORT = "export", _("Exported personal data")
        # "import" is the value it had when it was the only import action.
        IMPORT = "import", _("Uploaded an OpenSID export")
        CHECK_NIKS = "check_niks", _("Uploaded NIKs to check")
        SAVE_IMPORT = "save_import", _("Saved imported registrations")
        REGISTRATION = "registration", _("Entered or changed a registration")
        SAVE_PAYMENTS = "save_payments", _("Saved a file of contributions paid")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        "portal.User", models.PROTECT, related_name="audit_events", verbose_name=_("user")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action, db_index=True)
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object"), max_length=50, blank=True)
    village = models.ForeignKey(
        "villages.Village",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.at:%d-%m-%Y %H:%M} {self.user} {self.get_action_display()}"


class InvitationQuerySet(models.QuerySet):
    def usable(self, now=None) -> "InvitationQuerySet":
        """Invitations that still open the door: not used, not expired, for an active account."""
        now = now or timezone.now()
        return self.filter(used_at__isnull=True, expires_at__gt=now, user__is_active=True)


class Invitation(models.Model):
    """A one-time link for a new account to choose its own password, valid for a limited time.

    Only a hash of the token is stored: the link itself is shown (on a printed slip) or mailed
    once, when the invitation is issued, and a copy of the database opens no account."""

    user = models.ForeignKey(
        "portal.User", models.CASCADE, related_name="invitations", verbose_name=_("account")
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        "portal.User", models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gte=models.F("created_at")),
                name="invitation_expires_after_creation",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.created_at:%d-%m-%Y %H:%M}"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)  # the `notification_unread` partial index


class Notification(models.Model):
    """A message to one user, shown under the bell and mailed when the user has an address.

    `key` names what the notification is about (a day's digest, a registration event); it is
    unique per user, so a scheduled job that runs twice notifies nothing twice."""

    class Kind(models.TextChoices):
        PENDING = "pending", _("Registrations waiting for verification")
        VERIFIED = "verified", _("Registration verified")
        REJECTED = "rejected", _("Registration rejected")
        LAPSING = "lapsing", _("Village-funded period ending")

    user = models.ForeignKey(
        "portal.User", models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    key = models.CharField(_("key"), max_length=100)
    text = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_unique_key"),
        ]
        indexes = [
            # The bell counts a user's unread notifications on every page.
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.get_kind_display()} {self.created_at:%d-%m-%Y %H:%M}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ContentVersion(models.Model):
    """The version of one scope of cached page content (see portal.page_cache): a new random
    token each time something in the scope changes."""

    scope = models.CharField(_("scope"), max_length=120, primary_key=True)
    token = models.BigIntegerField(_("token"))

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")

    def __str__(self):
        return f"{self.scope} {self.token}"
