"""Laws Reporting Scheme for e-signatures (Work Plan B.3.1 activity 1).

* law data per AMS (``repository_list/laws/<AMS>.json``): laws, UNCITRAL texts followed, the 2005
  Convention's status, provision alignment, legal terms of signature levels, each fact sourced;
* national plans and annual reports, submitted by the AMS authority as signed JWS
  (:class:`~eauth_toolkit.laws.store.LawsStore`);
* the alignment report (:func:`~eauth_toolkit.laws.report.build_report`).

Submodules are imported where used, so importing this package stays cheap.
"""
