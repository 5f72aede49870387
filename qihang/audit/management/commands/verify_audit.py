"""`qihang verify_audit [--institution CODE]`: walk each institution's audit chain.

Prints one line per institution and exits 0 when every chain is intact; otherwise names the
first broken entry of each broken chain (id, sequence number, what is wrong) and exits 1.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qihang.audit import chain
from qihang.audit.models import AuditChainHead, AuditEvent
from qihang.institutions.models import Institution


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log (each institution's), naming the first broken entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--institution", metavar="CODE", help="only this institution's chain")

    def handle(self, *args: Any, **options: Any) -> None:
        institutions = Institution.objects.order_by("code")
        if options["institution"]:
            institutions = institutions.filter(code=options["institution"])
            if not institutions.exists():
                raise CommandError(f"no institution with code {options['institution']!r}")
        else:
            # Chains whose institution row is gone cannot exist (PROTECT), but say so if one does.
            known = set(Institution.objects.values_list("pk", flat=True))
            orphans = (
                set(
                    AuditEvent.objects.order_by()
                    .values_list("institution_id", flat=True)
                    .distinct()
                )
                | set(AuditChainHead.objects.values_list("institution_id", flat=True))
            ) - known
            if orphans:
                raise CommandError(f"audit entries of unknown institutions: {sorted(orphans)}")
        broken, total = 0, 0
        for institution in institutions:
            count, found = chain.verify(institution.pk)
            total += count
            if found is None:
                self.stdout.write(f"{institution.code} {institution.name}: {count} entries, intact")
                continue
            broken += 1
            self.stdout.write(
                self.style.ERROR(
                    f"{institution.code} {institution.name}: BROKEN after {count} good entries: "
                    f"{found.problem}"
                )
            )
        if broken:
            raise CommandError(
                f"{broken} audit chain(s) broken ({total} entries verified before the breaks)"
            )
        self.stdout.write(
            self.style.SUCCESS(f"all {institutions.count()} audit chains intact: {total} entries")
        )
