"""Reading the trust a signature check needs from a published Repository List file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eauth_toolkit.recognition.caps import SignatureCap
from eauth_toolkit.recognition.trust import TrustView, load_trust_view
from eauth_toolkit.repository.keys import AuthorityRegistry, certificate_validity, load_key
from eauth_toolkit.resources import repository_list_dir

__all__ = ["default_publisher_key_path", "view_from_file", "trust_from_list"]


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
    return load_trust_view(
        Path(path),
        key,
        authorities=AuthorityRegistry.load(base / "authorities.json"),
        key_valid=certificate_validity(key_path),
        state_file=state_file,
    )


def trust_from_list(
    path: str | Path, publisher_key: str | Path | None = None
) -> tuple[list[Any], tuple[SignatureCap, ...]]:
    """Trust lists (checked against the list's digests and signers) and recognition caps."""
    base = repository_list_dir()
    view = view_from_file(path, publisher_key, repository_dir=base)
    return view.trust_lists(base), view.signature_caps()
