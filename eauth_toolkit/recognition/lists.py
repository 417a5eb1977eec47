"""Reading the trust a signature check needs from a published Repository List file.

The default list is the service's latest published list in the data folder
(``repository-list.json``). When there is none yet, it is made the way the service makes it at its
first start: the sample data (entries, trust-list pointers and agreements, each a submission signed
with its SANDBOX authority key) are submitted to the store and the first list is published and
signed with the SANDBOX publisher key. A default list past its next update is published again
from the same store (as the pilot renews its own). Either way the list is verified before
anything is taken from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from eauth_toolkit.errors import EauthError, InputError
from eauth_toolkit.recognition.caps import SignatureCap
from eauth_toolkit.recognition.trust import TrustView, load_trust_view
from eauth_toolkit.repository.keys import AuthorityRegistry, certificate_validity, load_key
from eauth_toolkit.resources import repository_list_dir

if TYPE_CHECKING:
    from eauth_toolkit.settings import Settings

__all__ = [
    "default_publisher_key_path",
    "view_from_file",
    "trust_from_list",
    "default_list",
    "default_view",
    "default_trust",
]


def default_publisher_key_path(repository_dir: Path | None = None) -> Path:
    """The SANDBOX publisher's certificate beside the repository data."""
    from eauth_toolkit.repository.samples import publisher_certificate_path

    return publisher_certificate_path(repository_dir or repository_list_dir())


def view_from_file(
    path: str | Path,
    publisher_key: str | Path | None = None,
    *,
    repository_dir: Path | None = None,
    state_file: str | Path | None = None,
) -> TrustView:
    """Verify the list at ``path`` with the publisher's key and the registered authority keys."""
    base = repository_dir or repository_list_dir()
    key_path = Path(publisher_key) if publisher_key else default_publisher_key_path(base)
    key = load_key(key_path)
    try:
        return load_trust_view(
            Path(path),
            key,
            authorities=AuthorityRegistry.load(base / "authorities.json"),
            key_valid=certificate_validity(key_path),
            state_file=state_file,
        )
    except EauthError as exc:
        if not exc.where:  # the list is what was wrong: name it
            exc.where = str(path)
        raise


def trust_from_list(
    path: str | Path, publisher_key: str | Path | None = None
) -> tuple[list[Any], tuple[SignatureCap, ...]]:
    """Trust lists (checked against the list's digests and signers) and recognition caps."""
    base = repository_list_dir()
    view = view_from_file(path, publisher_key, repository_dir=base)
    return view.trust_lists(base), view.signature_caps()


_HOW = (
    "start the service once (eauth sandbox serve), or publish one (eauth repo load-samples; "
    "eauth repo publish --key KEY --out LIST), then pass --repository LIST"
)


def _refresh(settings: Settings, out: Path, *, again: bool) -> None:
    """Bring ``out`` up to the store's last list; publish the sample list when there is none
    (or, with ``again``, a newer one)."""
    from eauth_toolkit.repository.publication import publish, recover_list_file
    from eauth_toolkit.repository.samples import (
        AUTHORITIES_FILE,
        load_samples,
        publish_first_list,
        publisher_key_path,
    )
    from eauth_toolkit.repository.store import RepositoryStore
    from eauth_toolkit.repository.trust import trust_picture

    repo = Path(settings.repository_dir)
    key_path = publisher_key_path(repo)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot make the data folder ({exc.strerror})", where=str(out.parent)
        ) from None
    store = RepositoryStore.open(
        settings.database_url, AuthorityRegistry.load(repo / AUTHORITIES_FILE)
    )
    try:
        key = load_key(key_path) if key_path.exists() else None
        if again and key is not None:
            publish(store, key, out, trust=trust_picture(store, repo))
            return
        recover_list_file(store, out, key)
        if not out.is_file() and settings.load_samples:
            load_samples(store, repo, only_missing=True)
            publish_first_list(store, repo, out)
    finally:
        store.close()


def _past_next_update(path: Path) -> bool:
    """Whether the list file's next update has passed, read from the head of its payload without
    verifying (a hint only: the verification that follows decides whether the list is used)."""
    import base64
    import datetime as dt
    import json
    import re

    try:
        head = str(json.loads(path.read_bytes())["payload"])[:4096]
        text = base64.urlsafe_b64decode(head[: len(head) // 4 * 4]).decode("utf-8", "ignore")
        found = re.search(r'"next_update":"([^"]+)"', text)
        if found is None:
            return False
        due = dt.datetime.fromisoformat(found.group(1).replace("Z", "+00:00"))
        return due < dt.datetime.now(dt.UTC)
    except (OSError, KeyError, ValueError, TypeError):
        return False


def default_list(settings: Settings | None = None) -> Path:
    """The service's latest published list (see the module text), published first or renewed
    when needed; an :class:`InputError` saying how to get one when there is none."""
    from eauth_toolkit.repository.samples import SERVICE_LIST_FILE
    from eauth_toolkit.settings import Settings

    settings = settings or Settings.from_env()
    out = Path(settings.data_dir) / SERVICE_LIST_FILE
    try:
        if not out.is_file():
            _refresh(settings, out, again=False)
        elif _past_next_update(out):
            _refresh(settings, out, again=True)
    except EauthError as exc:
        where = f"{exc.where}: " if exc.where else ""
        raise InputError(
            f"no published Repository List to take trust lists from ({where}{exc.message}); {_HOW}",
            where=str(out),
        ) from None
    if not out.is_file():
        raise InputError(
            f"no published Repository List to take trust lists from: {_HOW}", where=str(out)
        )
    return out


def default_view(settings: Settings | None = None) -> TrustView:
    """The verified default list."""
    from eauth_toolkit.settings import Settings

    settings = settings or Settings.from_env()
    return view_from_file(default_list(settings), repository_dir=Path(settings.repository_dir))


def default_trust(
    settings: Settings | None = None,
) -> tuple[list[Any], tuple[SignatureCap, ...]]:
    """Trust lists and recognition caps of the verified default list."""
    from eauth_toolkit.settings import Settings

    settings = settings or Settings.from_env()
    view = default_view(settings)
    return view.trust_lists(Path(settings.repository_dir)), view.signature_caps()
