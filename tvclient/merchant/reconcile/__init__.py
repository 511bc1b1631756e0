"""Reconciliation against Antom's settlement reports (SFTP tree layout, reference §12)."""

from tvclient.merchant.reconcile.matching import Discrepancy, ReconcileReport, reconcile
from tvclient.merchant.reconcile.report_files import ReportSet, read_reports

__all__ = ["Discrepancy", "ReconcileReport", "ReportSet", "read_reports", "reconcile"]
