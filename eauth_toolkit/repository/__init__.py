"""The Collaborative Repository List (Work Plan B.2.1 activity 1).

Each AMS authority submits, as a JWS signed with its registered key, the e-authentication
technologies approved or commonly used in its AMS; the registry checks the submission (signature,
scope, order, schema and sourcing rules), stores it with an audit record, assesses each technology
profile with :mod:`eauth_toolkit.loa`, and publishes a signed, sequence-numbered list after the
pattern of ETSI TS 119 612 trusted lists.

::

    from eauth_toolkit.repository import AuthorityRegistry, RepositoryStore, sign_submission, publish

    store = RepositoryStore.open(url, AuthorityRegistry.load("repository_list/authorities.json"))
    store.submit(sign_submission(document, authority_key, sequence=store.next_sequence("SG")))
    publish(store, publisher_key, Path("list.json"))
"""

from __future__ import annotations

from eauth_toolkit.repository.keys import Authority, AuthorityRegistry, load_key
from eauth_toolkit.repository.models import (
    AMS_CODES,
    Entry,
    PublishedEntry,
    PublishedList,
    SubmissionDocument,
)
from eauth_toolkit.repository.publication import (
    ListVerificationError,
    PublicationResult,
    VerifiedList,
    diff_lists,
    load_verified_list,
    publish,
    read_list_payload,
    verify_list,
    verify_list_file,
)
from eauth_toolkit.repository.signing import sign_submission, stamp_submission
from eauth_toolkit.repository.store import (
    EntryFilter,
    RepositoryStore,
    StoredEntry,
    SubmissionReceipt,
)
from eauth_toolkit.repository.submission import SubmissionPolicy, SubmissionRefused
from eauth_toolkit.repository.validation import document_problems, submission_problems

__all__ = [
    "AMS_CODES",
    "Entry",
    "SubmissionDocument",
    "PublishedEntry",
    "PublishedList",
    "Authority",
    "AuthorityRegistry",
    "load_key",
    "sign_submission",
    "stamp_submission",
    "RepositoryStore",
    "StoredEntry",
    "EntryFilter",
    "SubmissionReceipt",
    "SubmissionPolicy",
    "SubmissionRefused",
    "submission_problems",
    "document_problems",
    "publish",
    "PublicationResult",
    "verify_list",
    "verify_list_file",
    "load_verified_list",
    "VerifiedList",
    "ListVerificationError",
    "read_list_payload",
    "diff_lists",
]
