"""`manage.py import_payments FILE`: record a file of contributions paid, for cron.

Exits non-zero and saves nothing when the file cannot be read or any row is malformed (a KPJ
not of 11 digits, an unknown KPJ, a month that cannot be read...), listing the rows. The same
file twice records nothing new."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from enrollment import importing, payments
from portal.translated import in_reader_language


class Command(BaseCommand):
    help = "Record a file (.xlsx or .csv) of contributions paid: all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx or .csv file of payments.")

    def handle(self, *args, file, **options):
        if not os.path.isfile(file):
            raise CommandError(_("No file %(file)s.") % {"file": file})
        with open(file, "rb") as handle:
            try:
                checked, written = payments.payments_import_file(
                    file=handle, name=os.path.basename(file), size=os.fstat(handle.fileno()).st_size
                )
            except importing.ImportRefused as refusal:
                raise CommandError(refusal.message) from refusal
        for number, message in sorted(checked.errors.items()):
            self.stderr.write(_("Row %(row)d: %(message)s") % {"row": number, "message": message})
        if checked.errors:
            raise CommandError(
                _("%(errors)d of %(rows)d rows have errors; nothing was saved.")
                % {"errors": len(checked.errors), "rows": checked.rows}
            )
        for number, message in checked.warnings:
            self.stdout.write(
                _("Row %(row)d (warning): %(message)s")
                % {"row": number, "message": in_reader_language(message)}
            )
        self.stdout.write(
            _(
                "%(rows)d rows: %(new)d new payments, %(corrected)d corrected, %(same)d already "
                "recorded; %(written)d written."
            )
            % {
                "rows": checked.rows,
                "new": checked.new,
                "corrected": checked.corrected,
                "same": checked.same,
                "written": written,
            }
        )
