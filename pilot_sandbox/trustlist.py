"""Where the pilot gateways take technologies, ``acr`` mappings, agreed levels and agreements from:
one verified published Collaborative Repository List.

``[trust] repository`` in ``pilot.toml`` names the list file; by default it is the service's own
latest list in its data folder (``pilot-repository-list.json``), published at the first start from
the sample submissions: the pilot's technology entries (``pilot_sandbox/entries/*.json``) signed by
the SANDBOX authority keys and submitted to a repository store, their proposed levels endorsed by
the other sandbox authorities, and the list signed by the SANDBOX publisher key. A pilot technology
that no sample agreement recognises (an external provider used as a national IdP) is covered by a
SANDBOX agreement signed by both participants' sandbox authority keys and submitted like any other.

Every flow asks :meth:`PilotTrust.view`, which re-reads the file: a newer list takes effect on the
next flow without a restart; a list that does not verify (signature, canonical form, freshness,
rollback, agreements) is refused, the last good one is kept and the reason is logged
(:attr:`PilotTrust.last_error`).
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eauth_toolkit.ams import AmsCode
from eauth_toolkit.errors import EauthError, PilotError
from eauth_toolkit.recognition.trust import TrustSource, TrustView
from eauth_toolkit.repository.keys import AuthorityRegistry, certificate_validity, load_key
from eauth_toolkit.repository.samples import (
    AUTHORITIES_FILE,
    authority_key_path,
    publisher_certificate_path,
    publisher_key_path,
)
from eauth_toolkit.settings import Settings
from pilot_sandbox.config import PilotConfig
from pilot_sandbox.entries import ENTRY_DIR

__all__ = ["DEFAULT_LIST", "PilotTrust", "sample_entry", "publish_sample_list"]

#: the service's own published list, in its data folder
DEFAULT_LIST = "pilot-repository-list.json"
#: the repository store the sample list is published from
_SAMPLE_STORE = "pilot-repository.sqlite3"

#: SANDBOX facts have no public source: they are marked unconfirmed, as the sourcing rules ask
_UNCONFIRMED = [
    "/name",
    "/operator",
    "/technology_type",
    "/description",
    "/claimed_level",
    "/oidc",
    "/status_history",
]


def _fill(value: Any, subst: dict[str, str]) -> Any:
    if isinstance(value, str):
        for k, v in subst.items():
            value = value.replace("{" + k + "}", v)
        return value
    if isinstance(value, list):
        return [_fill(v, subst) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, subst) for k, v in value.items()}
    return value


def sample_entry(
    entry_id: str, *, base_url: str, issuer: str | None = None, directory: Path = ENTRY_DIR
) -> dict[str, Any]:
    """A sample technology entry of the pilot as an ordinary submission entry: ``{base_url}``
    (this service) and ``{issuer}`` (an external provider's issuer) filled in."""
    path = directory / f"{entry_id}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PilotError(f"no sample technology entry {entry_id!r}", where=str(path)) from None
    except json.JSONDecodeError as exc:
        raise PilotError(f"JSON syntax error: {exc.msg}", where=f"{path}:{exc.lineno}") from None
    subst = {"base_url": base_url.rstrip("/")}
    if issuer:
        subst["issuer"] = issuer.rstrip("/")
    entry = dict(_fill(raw, subst))
    entry["unconfirmed"] = sorted(set(entry.get("unconfirmed") or []) | set(_UNCONFIRMED))
    return entry


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _past_next_update(path: Path) -> bool:
    """Whether the pilot's own sample list has expired (it is then published again, from the
    same store, with the next number)."""
    try:
        payload = json.loads(path.read_bytes()).get("payload")
        if isinstance(payload, str):  # compact JWS: the payload is the middle part
            payload = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        due = dt.datetime.fromisoformat(str(payload["next_update"]).replace("Z", "+00:00"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False  # not ours to judge here: the verification says what is wrong
    return due < dt.datetime.now(dt.UTC)


def publish_sample_list(
    config: PilotConfig, *, base_url: str, repository_dir: Path, data_dir: Path, out: Path
) -> int:
    """Submit the pilot's sample entries, endorse their levels with the other SANDBOX authority
    keys and publish the list to ``out``; returns its sequence number."""
    from eauth_toolkit.repository.publication import publish
    from eauth_toolkit.repository.reviews import load_review_policy, sign_review, submit_review
    from eauth_toolkit.repository.samples import load_trust_samples
    from eauth_toolkit.repository.signing import sign_submission
    from eauth_toolkit.repository.store import RepositoryStore
    from eauth_toolkit.repository.trust import trust_picture
    from eauth_toolkit.repository.trustdocs import agreement_statuses

    authorities = AuthorityRegistry.load(repository_dir / AUTHORITIES_FILE)
    store = RepositoryStore.open(f"sqlite:///{data_dir / _SAMPLE_STORE}", authorities)
    try:
        technologies: list[tuple[AmsCode, str, int]] = []
        first = all(store.next_sequence(p.code) == 1 for p in config.ams)
        for p in config.ams:
            entry = sample_entry(p.idp.entry, base_url=base_url, issuer=p.idp.issuer)
            if store.next_sequence(p.code) == 1:
                doc = {
                    "ams": p.code,
                    "authority": f"SANDBOX authority of {p.code}",
                    "entries": [entry],
                    "withdrawals": [],
                }
                key = load_key(authority_key_path(repository_dir, p.code))
                store.submit(
                    sign_submission(doc, key, sequence=store.next_sequence(p.code)),
                    channel="sample",
                )
            technologies.append((p.code, p.idp.entry, int(entry["claimed_level"]["iso29115"])))
        load_trust_samples(store, repository_dir)  # trust lists and agreements, as submissions
        agreements = agreement_statuses(store)
        policy = load_review_policy(repository_dir)
        for ams, technology, level in technologies if first else []:
            for reviewer in sorted(authorities.authorities):
                key_file = authority_key_path(repository_dir, reviewer)
                if reviewer == ams or not key_file.exists():
                    continue
                jws = sign_review(
                    ams=reviewer,
                    entry=technology,
                    level=level,
                    decision="endorse",
                    reason="SANDBOX sample review: the pilot's sample entry",
                    key=load_key(key_file),
                    sequence=store.next_sequence(reviewer),
                )
                submit_review(store, jws, agreements=agreements, default=policy, channel="sample")
        extra = _pilot_agreement(config, technologies, agreements, repository_dir)
        if extra is not None:  # submitted by its first party, like any agreement
            _submit_agreement(store, extra["document"], extra["parties"][0], repository_dir)
        picture = trust_picture(store, repository_dir)
        result = publish(store, load_key(publisher_key_path(repository_dir)), out, trust=picture)
        return result.sequence_number
    finally:
        store.close()


#: id of the SANDBOX agreement made for pilot technologies no committed agreement covers
PILOT_AGREEMENT_ID = "pilot-sandbox"


def _pilot_agreement(
    config: PilotConfig,
    technologies: list[tuple[AmsCode, str, int]],
    agreements: list[Any],
    repository_dir: Path,
) -> dict[str, Any] | None:
    """A SANDBOX agreement signed by both participants' sandbox authority keys for the pilot's
    technologies that no committed agreement in force recognises (an external provider used as
    a national IdP, e.g. in the interoperability tests); None when every one is covered."""
    from eauth_toolkit.recognition.models import Agreement, Recognition
    from eauth_toolkit.recognition.sandbox import sign_with_sandbox_keys

    covered = {
        (r.technology, r.from_ams, r.accepted_by)
        for st in agreements
        if st.in_force
        for r in st.agreement.recognitions
    }
    codes = [p.code for p in config.ams]
    rules = [
        Recognition(
            technology=technology,
            from_ams=ams,
            accepted_by=other,
            max_level=level,
            since=config.pilot.start,
        )
        for ams, technology, level in technologies
        for other in codes
        if other != ams and (technology, ams, other) not in covered
    ]
    if not rules:
        return None
    agreement = Agreement(
        id=PILOT_AGREEMENT_ID,
        title=f"{config.pilot.name}: recognition of the pilot's identity providers (SANDBOX: "
        "illustrative, no real agreement is implied)",
        parties=codes,
        concluded=config.pilot.start,
        valid_from=config.pilot.start,
        valid_until=config.pilot.end,
        sandbox=True,
        recognitions=rules,
    )
    document = sign_with_sandbox_keys(agreement, repository_dir)
    return {"id": agreement.id, "parties": codes, "in_force": True, "document": document}


def _submit_agreement(store: Any, document: dict[str, Any], ams: str, repository_dir: Path) -> None:
    from eauth_toolkit.repository.submission import SubmissionRefused
    from eauth_toolkit.repository.trustdocs import (
        AGREEMENT_SUBMISSION_TYP,
        sign_document,
        submit_agreement,
    )

    key = load_key(authority_key_path(repository_dir, ams))
    jws = sign_document(
        {"ams": ams, "agreement": document},
        key,
        typ=AGREEMENT_SUBMISSION_TYP,
        sequence=store.next_sequence(ams),
    )
    try:
        submit_agreement(store, jws, channel="sample")
    except SubmissionRefused as exc:
        if exc.code != "expired":  # a pilot past its end recognises nothing: nothing to submit
            raise


class PilotTrust:
    """The verified list the gateways decide with (see the module docstring)."""

    def __init__(self, settings: Settings, config: PilotConfig) -> None:
        repository_dir = Path(settings.repository_dir)
        data_dir = Path(settings.data_dir)
        configured = config.trust.repository
        if configured:
            path = Path(configured)
            if not path.is_absolute():
                path = Path(settings.pilot_config).parent / path
        else:
            path = data_dir / DEFAULT_LIST
            if not any(authority_key_path(repository_dir, p.code).is_file() for p in config.ams):
                # the pilot's own list is SANDBOX material throughout: when the configured
                # repository folder has no SANDBOX keys, the shipped SANDBOX folder signs it
                from eauth_toolkit.resources import repository_list_dir

                repository_dir = repository_list_dir()
            with _lock(path):
                if not path.exists() or _past_next_update(path):
                    publish_sample_list(
                        config,
                        base_url=settings.base_url,
                        repository_dir=repository_dir,
                        data_dir=data_dir,
                        out=path,
                    )
        cert = (
            Path(config.trust.publisher_certificate)
            if config.trust.publisher_certificate
            else publisher_certificate_path(repository_dir)
        )
        self.path = path
        self.source = TrustSource(
            path,
            load_key(cert),
            authorities=AuthorityRegistry.load(repository_dir / AUTHORITIES_FILE),
            key_valid=certificate_validity(cert),
        )
        try:
            self.source.current()  # refuse to start without a good list
        except EauthError as exc:
            raise PilotError(
                f"the pilot has no verified Repository List: {exc.message}", where=str(path)
            ) from None

    def view(self, *, now: dt.datetime | None = None) -> TrustView:
        """The newest good list (re-read when the file changed)."""
        return self.source.current(now=now)

    @property
    def last_error(self) -> str | None:
        """Why the newest list file was refused (None when it is the one in use)."""
        return self.source.last_error
