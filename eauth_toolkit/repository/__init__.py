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

from typing import TYPE_CHECKING, Any

#: public name -> the module that defines it (imported on first use, so that a reader of lists
#: does not load the store and SQLAlchemy)
_WHERE = {
    "Authority": "eauth_toolkit.repository.keys",
    "AuthorityRegistry": "eauth_toolkit.repository.keys",
    "load_key": "eauth_toolkit.repository.keys",
    "AMS_CODES": "eauth_toolkit.repository.models",
    "Entry": "eauth_toolkit.repository.models",
    "PublishedEntry": "eauth_toolkit.repository.models",
    "PublishedList": "eauth_toolkit.repository.models",
    "SubmissionDocument": "eauth_toolkit.repository.models",
    "ListVerificationError": "eauth_toolkit.repository.publication",
    "PublicationResult": "eauth_toolkit.repository.publication",
    "VerifiedList": "eauth_toolkit.repository.publication",
    "diff_lists": "eauth_toolkit.repository.publication",
    "load_verified_list": "eauth_toolkit.repository.publication",
    "publish": "eauth_toolkit.repository.publication",
    "read_list_payload": "eauth_toolkit.repository.publication",
    "verify_list": "eauth_toolkit.repository.publication",
    "verify_list_file": "eauth_toolkit.repository.publication",
    "sign_submission": "eauth_toolkit.repository.signing",
    "stamp_submission": "eauth_toolkit.repository.signing",
    "EntryFilter": "eauth_toolkit.repository.store",
    "RepositoryStore": "eauth_toolkit.repository.store",
    "StoredEntry": "eauth_toolkit.repository.store",
    "SubmissionReceipt": "eauth_toolkit.repository.store",
    "SubmissionPolicy": "eauth_toolkit.repository.submission",
    "SubmissionRefused": "eauth_toolkit.repository.submission",
    "document_problems": "eauth_toolkit.repository.validation",
    "submission_problems": "eauth_toolkit.repository.validation",
}

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


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
