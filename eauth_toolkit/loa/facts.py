"""Facts of a profile as two bit sets: what is confirmed, and what is possible.

Every fact value the rules can ask about is one *atom* (a bit): ``route.identity_proofing=in_person``,
``cm.authenticators=smart_card``, ``cm.factor_count>=2``. Encoding a profile gives two integers:

- ``T``: atoms that hold and whose facts are confirmed by evidence of a confirming kind;
- ``U``: atoms that may hold: the fact is unknown (every value possible), or its stated value is
  not confirmed (the stated value only).

A rule is a disjunction of atom masks. It is met for the *confirmed* level when one mask is inside
``T``; it is *reachable* when one mask is inside ``T | U``. Atom indices come from the profile
model alone, so every rule set shares one encoding. ``pointers`` maps atoms to the JSON pointers of
the facts behind them, for the list of unknowns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from eauth_toolkit.errors import LoaError
from eauth_toolkit.loa.models import (
    CONFIRMING_KINDS,
    Activation,
    ApplicantVerification,
    AttackPotential,
    Audit,
    AuthenticatorType,
    Delivery,
    EnrolmentRoute,
    Evidence,
    EvidenceValidation,
    ExistingMeansLevel,
    FactorCategory,
    IdentityProofing,
    InformationSecurity,
    KeyProtection,
    LegalBasis,
    LegalPersonBindingSource,
    MitmResistance,
    Renewal,
    SecretStorage,
    Supervision,
    TechnologyProfile,
)

__all__ = ["FIELDS", "FieldSpec", "atom", "Encoded", "encode", "field_names"]

_BOOL = (True, False)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A field the rules may name: its values, its kind and where its fact lives."""

    name: str
    values: tuple[Any, ...]
    kind: str  # "enum", "bool", "list", "count"
    pointer: str  # JSON pointer template ({route} for route fields)
    label: str


def _enum(e: type[Enum]) -> tuple[Any, ...]:
    return tuple(m for m in e if m.value != "unknown")


FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        FieldSpec(
            "route.identity_proofing",
            _enum(IdentityProofing),
            "enum",
            "{route}/identity_proofing",
            "identity proofing",
        ),
        FieldSpec(
            "route.evidence", _enum(Evidence), "list", "{route}/evidence", "identity evidence"
        ),
        FieldSpec(
            "route.evidence_validation",
            _enum(EvidenceValidation),
            "list",
            "{route}/evidence_validation",
            "evidence validation",
        ),
        FieldSpec(
            "route.applicant_verification",
            _enum(ApplicantVerification),
            "list",
            "{route}/applicant_verification",
            "applicant verification",
        ),
        FieldSpec(
            "route.existing_means_level",
            _enum(ExistingMeansLevel),
            "enum",
            "{route}/existing_means_level",
            "level of the existing means relied on",
        ),
        FieldSpec(
            "route.biometric_recorded",
            _BOOL,
            "bool",
            "{route}/biometric_recorded",
            "biometric recorded",
        ),
        FieldSpec(
            "route.delivery", _enum(Delivery), "enum", "{route}/delivery", "delivery and activation"
        ),
        FieldSpec(
            "lpb.applies",
            _BOOL,
            "bool",
            "/enrolment/legal_person_binding",
            "legal-person binding applies",
        ),
        FieldSpec(
            "lpb.source",
            _enum(LegalPersonBindingSource),
            "enum",
            "/enrolment/legal_person_binding/source",
            "legal-person binding verification",
        ),
        FieldSpec(
            "lpb.registered",
            _BOOL,
            "bool",
            "/enrolment/legal_person_binding/registered",
            "legal-person binding registered",
        ),
        FieldSpec(
            "cm.authenticators",
            _enum(AuthenticatorType) + (AuthenticatorType.unpublished,),
            "list",
            "/credential_management/factors",
            "authenticators",
        ),
        FieldSpec(
            "cm.factor_count",
            (1, 2, 3),
            "count",
            "/credential_management/factors",
            "distinct factor categories",
        ),
        FieldSpec(
            "cm.key_protection",
            _enum(KeyProtection),
            "list",
            "/credential_management/factors/*/key_protection",
            "key protection (any factor)",
        ),
        FieldSpec(
            "cm.verifier_storage",
            _enum(SecretStorage),
            "enum",
            "/credential_management/factors/*/verifier_storage",
            "verifier storage (weakest factor)",
        ),
        FieldSpec(
            "cm.activation",
            _enum(Activation),
            "enum",
            "/credential_management/activation",
            "activation",
        ),
        FieldSpec(
            "cm.revocation",
            _BOOL,
            "bool",
            "/credential_management/revocation",
            "suspension and revocation",
        ),
        FieldSpec(
            "cm.status_checked",
            _BOOL,
            "bool",
            "/credential_management/status_checked",
            "validity checked at authentication",
        ),
        FieldSpec("cm.expiry", _BOOL, "bool", "/credential_management/expiry", "limited validity"),
        FieldSpec(
            "cm.renewal",
            _enum(Renewal),
            "enum",
            "/credential_management/renewal",
            "renewal and replacement",
        ),
        FieldSpec(
            "auth.guessing_protection",
            _BOOL,
            "bool",
            "/authentication/guessing_protection",
            "guessing protection",
        ),
        FieldSpec(
            "auth.eavesdropping_protection",
            _BOOL,
            "bool",
            "/authentication/eavesdropping_protection",
            "eavesdropping protection",
        ),
        FieldSpec(
            "auth.replay_protection",
            _BOOL,
            "bool",
            "/authentication/replay_protection",
            "dynamic authentication (replay protection)",
        ),
        FieldSpec(
            "auth.session_protection",
            _BOOL,
            "bool",
            "/authentication/session_protection",
            "session protection",
        ),
        FieldSpec(
            "auth.mitm_resistance",
            _enum(MitmResistance),
            "enum",
            "/authentication/mitm_resistance",
            "relay (man-in-the-middle) resistance",
        ),
        FieldSpec(
            "auth.phishing_resistance",
            _BOOL,
            "bool",
            "/authentication/phishing_resistance",
            "verifier impersonation resistance",
        ),
        FieldSpec(
            "auth.attack_potential",
            _enum(AttackPotential),
            "enum",
            "/authentication/attack_potential",
            "attack potential resisted",
        ),
        FieldSpec(
            "mgt.legal_basis", _enum(LegalBasis), "enum", "/management/legal_basis", "legal basis"
        ),
        FieldSpec(
            "mgt.supervision", _enum(Supervision), "enum", "/management/supervision", "supervision"
        ),
        FieldSpec("mgt.audit", _enum(Audit), "enum", "/management/audit", "audit"),
        FieldSpec(
            "mgt.information_security",
            _enum(InformationSecurity),
            "enum",
            "/management/information_security",
            "information security management",
        ),
        FieldSpec(
            "mgt.record_keeping", _BOOL, "bool", "/management/record_keeping", "record keeping"
        ),
    )
}

#: atom index per (field, value)
_ATOMS: dict[tuple[str, Any], int] = {}
for _spec in FIELDS.values():
    for _v in _spec.values:
        _ATOMS[(_spec.name, _v)] = len(_ATOMS)
#: field name and value per atom index
ATOM_NAMES: tuple[tuple[str, Any], ...] = tuple(_ATOMS)
#: all atoms of a field, as a mask
_FIELD_MASK: dict[str, int] = {}
for (_name, _v), _i in _ATOMS.items():
    _FIELD_MASK[_name] = _FIELD_MASK.get(_name, 0) | (1 << _i)


def field_names() -> tuple[str, ...]:
    return tuple(FIELDS)


def atom(field: str, value: Any) -> int:
    """The bit of ``field == value`` (value: enum member or its text, bool, or a count)."""
    spec = FIELDS.get(field)
    if spec is None:
        raise LoaError(f"unknown profile field {field!r} (one of {', '.join(FIELDS)})")
    for v in spec.values:
        if v == value or (isinstance(v, Enum) and v.value == value):
            return 1 << _ATOMS[(field, v)]
    shown = ", ".join(str(v.value if isinstance(v, Enum) else v).lower() for v in spec.values)
    raise LoaError(f"{value!r} is not a value of {field} (one of {shown})")


# ------------------------------------------------------------------ encoding


def _bit(field: str, value: Any) -> int:
    return 1 << _ATOMS[(field, value)]


#: authenticators with no key on the person's side: their key protection is "no_key" by nature
_KEYLESS = frozenset(
    {
        AuthenticatorType.password,
        AuthenticatorType.security_questions,
        AuthenticatorType.lookup_codes,
        AuthenticatorType.sms_otp,
        AuthenticatorType.email_otp,
        AuthenticatorType.biometric,
    }
)
_ORDER_STORAGE = (SecretStorage.plaintext, SecretStorage.protected, SecretStorage.public_key_only)
_ROUTE_FIELDS = (
    ("route.identity_proofing", "identity_proofing", "enum"),
    ("route.evidence", "evidence", "list"),
    ("route.evidence_validation", "evidence_validation", "list"),
    ("route.applicant_verification", "applicant_verification", "list"),
    ("route.existing_means_level", "existing_means_level", "enum"),
    ("route.biometric_recorded", "biometric_recorded", "bool"),
    ("route.delivery", "delivery", "enum"),
)
_SCALAR_FIELDS = (
    ("cm.activation", "credential_management", "activation", "enum"),
    ("cm.revocation", "credential_management", "revocation", "bool"),
    ("cm.status_checked", "credential_management", "status_checked", "bool"),
    ("cm.expiry", "credential_management", "expiry", "bool"),
    ("cm.renewal", "credential_management", "renewal", "enum"),
    ("auth.guessing_protection", "authentication", "guessing_protection", "bool"),
    ("auth.eavesdropping_protection", "authentication", "eavesdropping_protection", "bool"),
    ("auth.replay_protection", "authentication", "replay_protection", "bool"),
    ("auth.session_protection", "authentication", "session_protection", "bool"),
    ("auth.mitm_resistance", "authentication", "mitm_resistance", "enum"),
    ("auth.phishing_resistance", "authentication", "phishing_resistance", "bool"),
    ("auth.attack_potential", "authentication", "attack_potential", "enum"),
    ("mgt.legal_basis", "management", "legal_basis", "enum"),
    ("mgt.supervision", "management", "supervision", "enum"),
    ("mgt.audit", "management", "audit", "enum"),
    ("mgt.information_security", "management", "information_security", "enum"),
    ("mgt.record_keeping", "management", "record_keeping", "bool"),
)


class _Confirm:
    """Answers 'is the fact at this pointer confirmed?' from the profile's evidence map."""

    __slots__ = ("_kinds",)

    def __init__(self, profile: TechnologyProfile) -> None:
        self._kinds = {p: e.kind in CONFIRMING_KINDS for p, e in profile.evidence.items()}

    def __call__(self, pointer: str) -> bool:
        kinds = self._kinds
        if not kinds:
            return False
        p = pointer
        while True:
            found = kinds.get(p)
            if found is not None:
                return found
            if not p:
                return False
            p = p[: p.rfind("/")]


@dataclass(frozen=True, slots=True)
class Encoded:
    """A profile's facts as atom sets: shared part and one part per enrolment route."""

    T: int
    U: int
    routes: tuple[tuple[int, int], ...]
    route_names: tuple[str, ...]
    separately: bool


class _Acc:
    __slots__ = ("T", "U", "track")

    def __init__(self, track: dict[int, set[str]] | None) -> None:
        self.T = 0
        self.U = 0
        self.track = track

    def _note(self, mask: int, pointer: str) -> None:
        if self.track is None:
            return
        while mask:
            low = mask & -mask
            self.track.setdefault(low.bit_length() - 1, set()).add(pointer)
            mask ^= low

    def value(self, field: str, kind: str, value: Any, ok: bool, pointer: str) -> None:
        if kind == "list":
            if not value:
                m = _FIELD_MASK[field]
                self.U |= m
                self._note(m, pointer)
                return
            m = 0
            for v in value:
                m |= _bit(field, v)
        elif value is None or (kind == "enum" and value.value == "unknown"):
            m = _FIELD_MASK[field]
            self.U |= m
            self._note(m, pointer)
            return
        else:
            m = _bit(field, value)
        if ok:
            self.T |= m
        else:
            self.U |= m
            self._note(m, pointer)


def _encode_shared(profile: TechnologyProfile, confirm: _Confirm, acc: _Acc) -> None:
    for field, section, attr, kind in _SCALAR_FIELDS:
        pointer = f"/{section}/{attr}"
        acc.value(field, kind, getattr(getattr(profile, section), attr), confirm(pointer), pointer)
    cm = profile.credential_management
    factors = cm.factors
    if not factors:
        for field in (
            "cm.authenticators",
            "cm.factor_count",
            "cm.key_protection",
            "cm.verifier_storage",
        ):
            acc.U |= _FIELD_MASK[field]
            acc._note(_FIELD_MASK[field], "/credential_management/factors")
    else:
        known: set[FactorCategory] = set()
        unknown_count = 0
        all_ok = True
        kp_T = kp_U = 0
        worst: SecretStorage | None = None
        worst_ok = True
        storage_unknown = False
        for i, f in enumerate(factors):
            base = f"/credential_management/factors/{i}"
            ok = confirm(base + "/type")
            all_ok = all_ok and ok
            acc.value("cm.authenticators", "list", [f.type], ok, base + "/type")
            cat = f.effective_category
            if cat is FactorCategory.unknown:
                unknown_count += 1
            else:
                known.add(cat)
            kp = f.key_protection
            if f.type in _KEYLESS:
                kp_T |= _bit("cm.key_protection", KeyProtection.no_key)
            elif kp is KeyProtection.unknown:
                kp_U |= _FIELD_MASK["cm.key_protection"]
                acc._note(_FIELD_MASK["cm.key_protection"], base + "/key_protection")
            elif confirm(base + "/key_protection"):
                kp_T |= _bit("cm.key_protection", kp)
            else:
                kp_U |= _bit("cm.key_protection", kp)
                acc._note(_bit("cm.key_protection", kp), base + "/key_protection")
            vs = f.verifier_storage
            if vs is SecretStorage.unknown:
                storage_unknown = True
                acc._note(_FIELD_MASK["cm.verifier_storage"], base + "/verifier_storage")
            else:
                if worst is None or _ORDER_STORAGE.index(vs) < _ORDER_STORAGE.index(worst):
                    worst = vs
                worst_ok = worst_ok and confirm(base + "/verifier_storage")
        acc.T |= kp_T
        acc.U |= kp_U
        # activation adds a category: a PIN is knowledge, a device biometric inherence
        act = cm.activation
        act_ok = confirm("/credential_management/activation")
        act_unknown = act is Activation.unknown
        if act in (Activation.pin, Activation.pin_or_biometric):
            act_cat: FactorCategory | None = FactorCategory.knowledge
        elif act is Activation.biometric:
            act_cat = FactorCategory.inherence
        else:
            act_cat = None
        sure = set(known)
        possible = set(known)
        if act_cat is not None:
            possible.add(act_cat)
            if act_ok:
                sure.add(act_cat)
        n_sure = len(sure) if all_ok else 0
        n_possible = len(possible) + unknown_count + (1 if act_unknown else 0)
        for n in (1, 2, 3):
            b = _bit("cm.factor_count", n)
            if n_sure >= n:
                acc.T |= b
            elif n_possible >= n:
                acc.U |= b
                acc._note(b, "/credential_management/factors")
                if act_unknown:
                    acc._note(b, "/credential_management/activation")
        # verifier storage: the weakest factor counts
        if storage_unknown:
            top = _ORDER_STORAGE.index(worst) if worst is not None else len(_ORDER_STORAGE) - 1
            for v in _ORDER_STORAGE[: top + 1]:
                acc.U |= _bit("cm.verifier_storage", v)
        elif worst is not None:
            if worst_ok:
                acc.T |= _bit("cm.verifier_storage", worst)
            else:
                acc.U |= _bit("cm.verifier_storage", worst)
                acc._note(_bit("cm.verifier_storage", worst), "/credential_management/factors")
    lpb = profile.enrolment.legal_person_binding
    if lpb is None:
        acc.T |= _bit("lpb.applies", False)
    else:
        acc.T |= _bit("lpb.applies", True)
        base = "/enrolment/legal_person_binding"
        acc.value("lpb.source", "enum", lpb.source, confirm(base + "/source"), base + "/source")
        acc.value(
            "lpb.registered",
            "bool",
            lpb.registered,
            confirm(base + "/registered"),
            base + "/registered",
        )


def _encode_route(route: EnrolmentRoute, index: int | None, confirm: _Confirm, acc: _Acc) -> None:
    base = "/enrolment/routes" if index is None else f"/enrolment/routes/{index}"
    for field, attr, kind in _ROUTE_FIELDS:
        pointer = base if index is None else f"{base}/{attr}"
        acc.value(field, kind, getattr(route, attr), confirm(pointer), pointer)


_NO_ROUTE = EnrolmentRoute()


def encode(profile: TechnologyProfile, track: dict[int, set[str]] | None = None) -> Encoded:
    """Encode ``profile``; with ``track``, record the JSON pointers behind every possible atom.

    A profile is immutable, so its encoding is made once and kept on it (as a compiled pattern
    is); tracking always encodes afresh.
    """
    if track is None:
        private = profile.__pydantic_private__
        done = private.get("_compiled") if private else None
        if done is not None:
            return done  # type: ignore[no-any-return]
        out = _encode(profile, None)
        profile._compiled = out
        return out
    return _encode(profile, track)


def _encode(profile: TechnologyProfile, track: dict[int, set[str]] | None) -> Encoded:
    confirm = _Confirm(profile)
    shared = _Acc(track)
    _encode_shared(profile, confirm, shared)
    routes = profile.enrolment.routes or [_NO_ROUTE]
    parts = []
    names = []
    for i, route in enumerate(routes):
        acc = _Acc(track)
        _encode_route(route, i if profile.enrolment.routes else None, confirm, acc)
        parts.append((acc.T, acc.U))
        names.append(route.name or f"route {i + 1}")
    return Encoded(
        shared.T,
        shared.U,
        tuple(parts),
        tuple(names),
        profile.enrolment.routes_registered_separately,
    )


def describe(field: str, values: Iterable[Any]) -> str:
    return ", ".join(str(v.value if isinstance(v, Enum) else v).lower() for v in values)
