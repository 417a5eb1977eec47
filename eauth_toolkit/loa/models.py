"""The technology profile (format 2): what is known about an e-authentication means, and how it is known.

The profile is written in the words of an operator, not in clause numbers: how people are proofed
at enrolment (one or several enrolment routes), which authentication factors they use and how the
verifier stores what it checks, how the protocol resists attacks, and how the service is governed.
The rule sets (``eauth_toolkit/loa/guidance/*.yaml``: eIDAS 2015/1502, ISO/IEC 29115, NIST SP
800-63) turn the same facts into levels.

Every fact may be unknown: its default is ``unknown`` (choices), ``null`` (yes/no) or an empty list.
Every stated fact carries an evidence kind in ``evidence`` (keyed by JSON pointer; a pointer covers
the facts below it). A fact without confirming evidence is still used for the highest *reachable*
level, never for the *confirmed* level: the assessment is a range (see :mod:`.assessment`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints

__all__ = [
    "PROFILE_VERSION",
    "IdentityProofing",
    "Evidence",
    "EvidenceValidation",
    "ApplicantVerification",
    "Delivery",
    "ExistingMeansLevel",
    "EnrolmentRoute",
    "LegalPersonBindingSource",
    "LegalPersonBinding",
    "Enrolment",
    "AuthenticatorType",
    "FactorCategory",
    "Factor",
    "Activation",
    "KeyProtection",
    "Renewal",
    "SecretStorage",
    "CredentialManagement",
    "MitmResistance",
    "AttackPotential",
    "Authentication",
    "LegalBasis",
    "Supervision",
    "Audit",
    "InformationSecurity",
    "Management",
    "EvidenceKind",
    "CONFIRMING_KINDS",
    "FactEvidence",
    "OfficialAssessment",
    "TechnologyProfile",
    "AUTHENTICATOR_FACTORS",
    "PUBLISHED_SCHEMAS",
]

#: version of the profile format (bumped when a field changes meaning; ``eauth loa migrate`` upgrades)
PROFILE_VERSION = "2"

_POINTER_PATTERN = r"^(/([^~]|~[01])*)*$"
JsonPointer = Annotated[str, StringConstraints(pattern=_POINTER_PATTERN)]
HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


# --------------------------------------------------------------------------- enrolment


class IdentityProofing(StrEnum):
    """How the person's identity is established when they enrol on this route.

    - ``unknown``: not known
    - ``none``: no identity is established: the account is pseudonymous
    - ``self_asserted``: the person types in who they are; nothing is checked
    - ``remote_unattended``: remote and unattended: web or app, checks done by software
    - ``remote_supervised``: remote with a trained operator watching over live video
    - ``in_person``: in front of registration staff at an office or kiosk with an attendant
    """

    unknown = "unknown"
    none = "none"
    self_asserted = "self_asserted"
    remote_unattended = "remote_unattended"
    remote_supervised = "remote_supervised"
    in_person = "in_person"


class Evidence(StrEnum):
    """Identity evidence collected at enrolment.

    - ``declared_details``: identity details typed in by the person (name, date of birth, ID number)
    - ``register_record``: a record in a register kept by an authority (civil, population, tax)
    - ``photo_id``: a government photo identity document read without its chip
    - ``chip_id``: a government identity document whose chip data is read (ePassport, chip ID card)
    - ``secondary_evidence``: a second, independent piece of identity evidence
    - ``existing_credential``: an electronic identification means or an earlier identification
      (e.g. bank customer due diligence) issued to the same person after proofing
    """

    declared_details = "declared_details"
    register_record = "register_record"
    photo_id = "photo_id"
    chip_id = "chip_id"
    secondary_evidence = "secondary_evidence"
    existing_credential = "existing_credential"


class EvidenceValidation(StrEnum):
    """How the evidence is shown to be genuine and current.

    - ``visual_inspection``: the document and its security features are inspected (by staff or by
      software on an image)
    - ``authoritative_source``: the details are confirmed with the authority that issued them or
      keeps the register (including a check that the document is not reported lost or revoked)
    - ``chip_signature``: the signed data on the document chip is read and its signature checked
    - ``credential_authentication``: the existing means is used in a successful authentication
    """

    visual_inspection = "visual_inspection"
    authoritative_source = "authoritative_source"
    chip_signature = "chip_signature"
    credential_authentication = "credential_authentication"


class ApplicantVerification(StrEnum):
    """How the enrolling person is shown to be the owner of the evidence.

    - ``knowledge_questions``: questions only the owner should know (knowledge-based verification)
    - ``code_to_address_of_record``: a one-time code or letter sent to an address or phone number
      taken from an authoritative record
    - ``face_match``: software compares a live image of the person with the document or register photo
    - ``liveness``: software checks the live image is a real present person (presentation attack detection)
    - ``operator_photo_comparison``: a trained person compares the face with the photo (in person
      or over supervised video)
    - ``authoritative_biometric_match``: fingerprint or face matched against the biometric record
      kept by the issuing authority
    - ``existing_credential``: the person authenticates with an existing means or is identified by
      an earlier procedure (bank customer due diligence)
    """

    knowledge_questions = "knowledge_questions"
    code_to_address_of_record = "code_to_address_of_record"
    face_match = "face_match"
    liveness = "liveness"
    operator_photo_comparison = "operator_photo_comparison"
    authoritative_biometric_match = "authoritative_biometric_match"
    existing_credential = "existing_credential"


class Delivery(StrEnum):
    """How the means reaches the person and is activated (issuance, delivery and activation).

    - ``unknown``: not known
    - ``none``: the means is not tied to a proofed person
    - ``unverified_contact``: sent to a contact the person gave, not checked against a record
    - ``code_to_contact_of_record``: activated with a one-time code sent to a contact taken from an
      authoritative record
    - ``post_to_address_of_record``: sent by post to the address in an authoritative register
    - ``activation_code_separate_channel``: the means and the code or PIN that activates it travel by
      separate channels (split PIN: e.g. card by post, PIN letter separately; app plus a code sent to
      the address of record), so activation shows the person holds both
    - ``same_session``: issued and bound within the same continuous proofing session
    - ``in_person``: handed over in person after the person's identity is checked again
    """

    unknown = "unknown"
    none = "none"
    unverified_contact = "unverified_contact"
    code_to_contact_of_record = "code_to_contact_of_record"
    post_to_address_of_record = "post_to_address_of_record"
    activation_code_separate_channel = "activation_code_separate_channel"
    same_session = "same_session"
    in_person = "in_person"


class ExistingMeansLevel(StrEnum):
    """The assurance of the existing means (or earlier procedure) a route relies on.

    - ``unknown``: not known, or the route relies on no existing means
    - ``none``: not assessed
    - ``low``, ``substantial``, ``high``: as notified under eIDAS or confirmed by a conformity
      assessment body (Implementing Regulation (EU) 2015/1502, Annex 2.1.2)
    """

    unknown = "unknown"
    none = "none"
    low = "low"
    substantial = "substantial"
    high = "high"


class EnrolmentRoute(_Frozen):
    """One way to enrol (a scheme may offer several: in person, remotely with a chip document, from a bank)."""

    name: str | None = Field(default=None, description="Name of the route (e.g. 'bank KYC').")
    identity_proofing: IdentityProofing = Field(
        default=IdentityProofing.unknown, description="How the person's identity is established."
    )
    evidence: list[Evidence] = Field(
        default_factory=list, description="Identity evidence collected (empty: not known)."
    )
    evidence_validation: list[EvidenceValidation] = Field(
        default_factory=list,
        description="How the evidence is shown to be genuine (empty: not known).",
    )
    applicant_verification: list[ApplicantVerification] = Field(
        default_factory=list,
        description="How the person is shown to own the evidence (empty: not known).",
    )
    existing_means_level: ExistingMeansLevel = Field(
        default=ExistingMeansLevel.unknown,
        description="Assurance of the existing means or earlier procedure this route relies on.",
    )
    biometric_recorded: bool | None = Field(
        default=None, description="A facial image or fingerprint is recorded at enrolment."
    )
    delivery: Delivery = Field(
        default=Delivery.unknown, description="How the means is delivered and activated."
    )


class LegalPersonBindingSource(StrEnum):
    """How the binding between a natural person's means and a legal person is verified (2015/1502 2.1.4).

    - ``unknown``: not known
    - ``national_procedure``: by a procedure recognised at national level
    - ``authoritative_register``: with information from an authoritative source (company register)
    - ``unique_identifier_and_register``: using the legal person's unique national identifier and
      information uniquely representing the natural person from an authoritative source
    """

    unknown = "unknown"
    national_procedure = "national_procedure"
    authoritative_register = "authoritative_register"
    unique_identifier_and_register = "unique_identifier_and_register"


class LegalPersonBinding(_Frozen):
    """A natural person's means used to act for a legal person."""

    source: LegalPersonBindingSource = Field(
        default=LegalPersonBindingSource.unknown, description="How the binding is verified."
    )
    registered: bool | None = Field(default=None, description="The binding is registered.")


class Enrolment(_Frozen):
    """Enrolment: identity proofing and registration, per route."""

    routes: list[EnrolmentRoute] = Field(
        default_factory=list,
        description="Enrolment routes (empty: not known). Each route is assessed.",
    )
    routes_registered_separately: bool = Field(
        default=False,
        description=(
            "Each route is registered as a separate means with its own level; otherwise the "
            "technology's level is that of its weakest route."
        ),
    )
    legal_person_binding: LegalPersonBinding | None = Field(
        default=None,
        description="Present when the means binds a natural person to a legal person.",
    )


# --------------------------------------------------------------------------- credential management


class FactorCategory(StrEnum):
    """Authentication factor categories (``unknown``: not published)."""

    unknown = "unknown"
    knowledge = "knowledge"
    possession = "possession"
    inherence = "inherence"


class AuthenticatorType(StrEnum):
    """Authenticators the person uses to sign in.

    - ``unpublished``: a factor whose type the operator does not publish
    - ``password``: a password or PIN that the verifier checks
    - ``security_questions``: answers to pre-registered questions
    - ``lookup_codes``: a printed or stored list of one-time codes
    - ``sms_otp``: a one-time code sent by SMS or voice call
    - ``email_otp``: a one-time code or link sent by e-mail
    - ``push_approval``: approval of a request pushed to a registered app
    - ``otp_app``: one-time codes generated by an app (TOTP/HOTP)
    - ``otp_token``: one-time codes generated by a dedicated hardware token
    - ``software_key``: a private key held by an app or browser in software
    - ``platform_key``: a private key held by the device's own security chip (secure enclave, TPM)
    - ``security_key``: an external hardware security key (FIDO2/U2F)
    - ``smart_card``: a chip card holding a private key (eID card, PKI smart card)
    - ``biometric``: a fingerprint or face matched by the verifier or the device
    """

    unpublished = "unpublished"
    password = "password"
    security_questions = "security_questions"
    lookup_codes = "lookup_codes"
    sms_otp = "sms_otp"
    email_otp = "email_otp"
    push_approval = "push_approval"
    otp_app = "otp_app"
    otp_token = "otp_token"
    software_key = "software_key"
    platform_key = "platform_key"
    security_key = "security_key"
    smart_card = "smart_card"
    biometric = "biometric"


#: the factor category of each authenticator type
AUTHENTICATOR_FACTORS: dict[AuthenticatorType, FactorCategory] = {
    AuthenticatorType.unpublished: FactorCategory.unknown,
    AuthenticatorType.password: FactorCategory.knowledge,
    AuthenticatorType.security_questions: FactorCategory.knowledge,
    AuthenticatorType.lookup_codes: FactorCategory.possession,
    AuthenticatorType.sms_otp: FactorCategory.possession,
    AuthenticatorType.email_otp: FactorCategory.possession,
    AuthenticatorType.push_approval: FactorCategory.possession,
    AuthenticatorType.otp_app: FactorCategory.possession,
    AuthenticatorType.otp_token: FactorCategory.possession,
    AuthenticatorType.software_key: FactorCategory.possession,
    AuthenticatorType.platform_key: FactorCategory.possession,
    AuthenticatorType.security_key: FactorCategory.possession,
    AuthenticatorType.smart_card: FactorCategory.possession,
    AuthenticatorType.biometric: FactorCategory.inherence,
}


class KeyProtection(StrEnum):
    """How the secret or private key inside a possession factor is protected.

    - ``unknown``: not known
    - ``no_key``: there is no key on the person's side (passwords, codes sent by SMS or e-mail)
    - ``software``: kept in ordinary app or file storage; can be copied
    - ``synced``: kept by the platform and synchronised through a cloud account
    - ``hardware``: generated and kept in a hardware security chip; cannot be exported
    - ``certified_hardware``: in a chip certified for tamper resistance (Common Criteria, FIPS 140-3 L3)
    """

    unknown = "unknown"
    no_key = "no_key"
    software = "software"
    synced = "synced"
    hardware = "hardware"
    certified_hardware = "certified_hardware"


class SecretStorage(StrEnum):
    """What the verifier keeps in order to check a factor.

    - ``unknown``: not known
    - ``plaintext``: the secrets themselves, readable
    - ``protected``: salted hashes or encrypted secrets (keys kept apart, e.g. in an HSM)
    - ``public_key_only``: only public keys or data that cannot be used to sign in
    """

    unknown = "unknown"
    plaintext = "plaintext"
    protected = "protected"
    public_key_only = "public_key_only"


class Factor(_Frozen):
    """One authentication factor of the means."""

    type: AuthenticatorType = Field(
        ..., description="The authenticator ('unpublished' if not published)."
    )
    category: FactorCategory | None = Field(
        default=None,
        description="Factor category; defaults to the type's category ('unknown' for unpublished types).",
    )
    key_protection: KeyProtection = Field(
        default=KeyProtection.unknown,
        description="How a key or secret on the person's side is protected.",
    )
    verifier_storage: SecretStorage = Field(
        default=SecretStorage.unknown, description="What the verifier stores to check this factor."
    )

    @property
    def effective_category(self) -> FactorCategory:
        return self.category if self.category is not None else AUTHENTICATOR_FACTORS[self.type]


class Activation(StrEnum):
    """What unlocks the authenticator on the person's side before each use.

    - ``unknown``: not known
    - ``none``: nothing: whoever holds it can use it
    - ``pin``: a PIN or password entered on the device or card
    - ``biometric``: a fingerprint or face recognised by the device
    - ``pin_or_biometric``: a PIN, or a biometric with the PIN as fallback
    """

    unknown = "unknown"
    none = "none"
    pin = "pin"
    biometric = "biometric"
    pin_or_biometric = "pin_or_biometric"


class Renewal(StrEnum):
    """What is required to renew or replace a means.

    - ``unknown``: not known
    - ``uncontrolled``: anyone who can sign in to the account, or no control at all
    - ``current_credential``: the current, still valid means of the same or a higher level
    - ``current_credential_with_register_check``: the current means, and the identity data are
      checked again with an authoritative source
    - ``re_proofing``: the person's identity is proofed again as at first enrolment
    """

    unknown = "unknown"
    uncontrolled = "uncontrolled"
    current_credential = "current_credential"
    current_credential_with_register_check = "current_credential_with_register_check"
    re_proofing = "re_proofing"


class CredentialManagement(_Frozen):
    """Means management: the factors, their protection and their life cycle."""

    factors: list[Factor] = Field(
        default_factory=list,
        description="Factors used together in one sign-in (empty: not known).",
    )
    activation: Activation = Field(
        default=Activation.unknown,
        description="What unlocks the authenticator on the person's side.",
    )
    revocation: bool | None = Field(
        default=None,
        description="The means can be suspended and revoked (by the person or the issuer).",
    )
    status_checked: bool | None = Field(
        default=None,
        description="The means and its validity (not suspended or revoked) are checked at every authentication.",
    )
    expiry: bool | None = Field(default=None, description="Means have a limited validity period.")
    renewal: Renewal = Field(
        default=Renewal.unknown, description="What renewal or replacement requires."
    )


# --------------------------------------------------------------------------- authentication


class MitmResistance(StrEnum):
    """Protection against someone relaying the sign-in between the person and the verifier.

    - ``unknown``: not known
    - ``none``: no protection
    - ``server_authenticated``: an encrypted channel whose server certificate is checked (TLS)
    - ``channel_bound``: the result is bound to the channel or both ends authenticate (mutual TLS)
    """

    unknown = "unknown"
    none = "none"
    server_authenticated = "server_authenticated"
    channel_bound = "channel_bound"


class AttackPotential(StrEnum):
    """The attack potential (ISO/IEC 18045 scale) the authentication mechanism is shown to resist.

    - ``unknown``: not evaluated or not known
    - ``basic``, ``enhanced_basic``, ``moderate``, ``high``: shown by a security evaluation, a
      certification or a peer-reviewed notification (name the evidence)
    """

    unknown = "unknown"
    basic = "basic"
    enhanced_basic = "enhanced_basic"
    moderate = "moderate"
    high = "high"


class Authentication(_Frozen):
    """Entity authentication: how the protocol resists attacks."""

    guessing_protection: bool | None = Field(
        default=None,
        description="Online guessing is limited (rate limiting, lockout, PIN retry counter).",
    )
    eavesdropping_protection: bool | None = Field(
        default=None,
        description="Secrets never cross the network in the clear (encrypted channel).",
    )
    replay_protection: bool | None = Field(
        default=None,
        description="Dynamic authentication: a captured sign-in cannot be used again (challenge, one-time value).",
    )
    session_protection: bool | None = Field(
        default=None, description="The session after sign-in is protected against hijacking."
    )
    mitm_resistance: MitmResistance = Field(
        default=MitmResistance.unknown,
        description="Protection against relaying (man in the middle).",
    )
    phishing_resistance: bool | None = Field(
        default=None,
        description="A fake site cannot obtain a usable sign-in (verifier impersonation resistance).",
    )
    attack_potential: AttackPotential = Field(
        default=AttackPotential.unknown,
        description="Attack potential the authentication mechanism is shown to resist.",
    )


# --------------------------------------------------------------------------- management


class LegalBasis(StrEnum):
    """What the service legally operates under (``contract``: terms with users; ``statute``: a law)."""

    unknown = "unknown"
    none = "none"
    contract = "contract"
    statute = "statute"


class Supervision(StrEnum):
    """Oversight of the operator by an authority."""

    unknown = "unknown"
    none = "none"
    registered = "registered"
    supervised = "supervised"
    accredited = "accredited"


class Audit(StrEnum):
    """Periodic audits of the service.

    - ``unknown``, ``none``
    - ``internal``: by the operator's own staff
    - ``independent_internal``: by an internal audit function independent of the operation
    - ``independent``: by an independent external party
    """

    unknown = "unknown"
    none = "none"
    internal = "internal"
    independent_internal = "independent_internal"
    independent = "independent"


class InformationSecurity(StrEnum):
    """How information security is managed.

    - ``unknown``, ``none``
    - ``documented``: an information security management system with written policies
    - ``standards_based``: that system follows a proven standard (e.g. ISO/IEC 27001), not certified
    - ``certified``: that system is certified (e.g. ISO/IEC 27001 certificate)
    """

    unknown = "unknown"
    none = "none"
    documented = "documented"
    standards_based = "standards_based"
    certified = "certified"


class Management(_Frozen):
    """Management and organisation of the service."""

    legal_basis: LegalBasis = Field(
        default=LegalBasis.unknown, description="What the service operates under."
    )
    supervision: Supervision = Field(
        default=Supervision.unknown, description="Oversight of the operator by an authority."
    )
    audit: Audit = Field(default=Audit.unknown, description="Audits of the service.")
    information_security: InformationSecurity = Field(
        default=InformationSecurity.unknown, description="Information security management."
    )
    record_keeping: bool | None = Field(
        default=None, description="Records of enrolment, the life cycle and sign-ins are kept."
    )


# --------------------------------------------------------------------------- evidence


class EvidenceKind(StrEnum):
    """What a fact rests on.

    - ``legal_instrument``: a law, regulation or decree
    - ``notification``: an official eIDAS notification that went through peer review (also
      evidences the scheme's 2015/1502 section 2.4 organisational requirements)
    - ``certification``: a certification or conformity assessment (give its reference)
    - ``authority_declaration``: a declaration in an AMS authority's signed submission (shown as
      that authority's declaration)
    - ``public_document``: the operator's or a public body's published document
    - ``secondary_source``: press, third-party summaries (does not confirm)
    - ``unknown``: no source (does not confirm)
    """

    legal_instrument = "legal_instrument"
    notification = "notification"
    certification = "certification"
    authority_declaration = "authority_declaration"
    public_document = "public_document"
    secondary_source = "secondary_source"
    unknown = "unknown"


#: the evidence kinds that confirm a fact (the others leave it unconfirmed)
CONFIRMING_KINDS = frozenset(
    {
        EvidenceKind.legal_instrument,
        EvidenceKind.notification,
        EvidenceKind.certification,
        EvidenceKind.authority_declaration,
        EvidenceKind.public_document,
    }
)


class FactEvidence(_Frozen):
    """The evidence for one fact (or, for a pointer to an object, every fact below it)."""

    kind: EvidenceKind = Field(..., description="What the fact rests on.")
    url: HttpUrl | None = Field(default=None, description="Where it can be read.")
    reference: str | None = Field(
        default=None, description="Certificate, notification or document reference."
    )
    authority: str | None = Field(
        default=None, description="The declaring authority (for an authority declaration)."
    )
    note: str | None = None


class OfficialAssessment(_Frozen):
    """A level given by an official body (eIDAS notification, NIST 800-63 or national certification)."""

    framework: Literal["eidas", "iso29115", "nist-ial", "nist-aal"] = Field(
        ..., description="The framework whose level was given."
    )
    level: str = Field(..., description="The level (low|substantial|high, 1-4, or 1-3).")
    by: str = Field(..., description="Who gave it.")
    kind: EvidenceKind = Field(..., description="The kind of evidence.")
    url: HttpUrl = Field(..., description="Where it is published.")
    reference: str | None = None
    date: str | None = None


# --------------------------------------------------------------------------- the profile


class TechnologyProfile(_Frozen):
    """An e-authentication means as an authority describes it (profile format 2)."""

    profile_version: Literal["2"] = Field(default="2", description="Profile format version.")
    name: str = Field(..., min_length=1, description="Name of the technology or service.")
    operator: str | None = Field(default=None, description="Who runs it.")
    description: str | None = Field(default=None, description="A short description.")
    claimed_level: int | None = Field(
        default=None, ge=1, le=4, description="The ISO/IEC 29115 level the operator claims (1-4)."
    )
    enrolment: Enrolment = Field(default=Enrolment(), description="Enrolment routes.")
    credential_management: CredentialManagement = Field(
        default=CredentialManagement(), description="Factors and their life cycle."
    )
    authentication: Authentication = Field(
        default=Authentication(), description="Entity authentication: protocol protections."
    )
    management: Management = Field(default=Management(), description="Management and organisation.")
    evidence: dict[JsonPointer, FactEvidence] = Field(
        default_factory=dict,
        description="Evidence per fact: JSON pointer into this profile -> evidence (covers the facts below it).",
        json_schema_extra={"propertyNames": {"pattern": _POINTER_PATTERN}},
    )
    official_assessments: list[OfficialAssessment] = Field(
        default_factory=list, description="Levels given to this means by official bodies."
    )
    notes: str | None = None

    #: the facts compiled to atom masks (:func:`eauth_toolkit.loa.facts.encode`), made on first use
    _compiled: Any = PrivateAttr(default=None)

    def model_copy(self, *, update: Any = None, deep: bool = False) -> TechnologyProfile:
        """A copy (with ``update``); the compiled facts are made again for the copy."""
        out = super().model_copy(update=update, deep=deep)
        out._compiled = None
        return out


PUBLISHED_SCHEMAS = {"technology-profile": TechnologyProfile}
