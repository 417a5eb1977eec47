"""The technology profile: what an authority knows about an e-authentication technology.

The profile is written in the words of an operator, not in the clause numbers of ISO/IEC 29115:
how people are proofed at enrolment, which authenticators they get and how keys are protected, how
the authentication protocol resists attacks, and how the service is governed. The Guidance rules
(``eauth_toolkit/loa/guidance/*.yaml``) turn these answers into levels.

Fail closed: every field an authority may not know is optional. Its default is ``unknown`` (for
choices), ``null`` (for yes/no questions) or an empty list, and no rule of the Guidance is met by an
unknown answer, so what is not known always assesses as the weaker option.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "PROFILE_VERSION",
    "IdentityProofing",
    "Evidence",
    "EvidenceValidation",
    "ApplicantVerification",
    "CredentialBinding",
    "AuthenticatorType",
    "FactorCategory",
    "Activation",
    "KeyProtection",
    "Renewal",
    "SecretStorage",
    "MitmResistance",
    "LegalBasis",
    "Supervision",
    "Audit",
    "InformationSecurity",
    "Enrolment",
    "CredentialManagement",
    "Authentication",
    "Management",
    "TechnologyProfile",
    "AUTHENTICATOR_FACTORS",
    "PUBLISHED_SCHEMAS",
]

#: version of the profile format (bumped when a field changes meaning)
PROFILE_VERSION = "1"

_POINTER_PATTERN = r"^(/([^~]|~[01])*)*$"
JsonPointer = Annotated[str, StringConstraints(pattern=_POINTER_PATTERN)]
HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


# --------------------------------------------------------------------------- enrolment


class IdentityProofing(StrEnum):
    """How the person's identity is established when they enrol.

    - ``unknown``: not known; assessed as the weakest answer
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
    - ``register_record``: a record in a register kept by an authority (civil, population or tax
      register)
    - ``photo_id``: a government photo identity document (ID card, passport, driving licence)
      without chip reading
    - ``chip_id``: a government identity document whose chip data is read (ePassport, chip ID card)
    - ``secondary_evidence``: a second, independent piece of identity evidence
    - ``existing_credential``: a credential issued earlier to the same person after proofing (e.g. a
      national eID, bank KYC)
    """

    declared_details = "declared_details"
    register_record = "register_record"
    photo_id = "photo_id"
    chip_id = "chip_id"
    secondary_evidence = "secondary_evidence"
    existing_credential = "existing_credential"


class EvidenceValidation(StrEnum):
    """How the evidence is shown to be genuine and current.

    - ``visual_inspection``: the document's look and security features are inspected (by staff or by
      software on an image)
    - ``authoritative_source``: the details are confirmed with the authority that issued them or
      keeps the register
    - ``chip_signature``: the signed data on the document chip is read and its signature checked
      (ICAO passive authentication)
    - ``credential_authentication``: the existing credential is used in a successful authentication
      at its own level
    """

    visual_inspection = "visual_inspection"
    authoritative_source = "authoritative_source"
    chip_signature = "chip_signature"
    credential_authentication = "credential_authentication"


class ApplicantVerification(StrEnum):
    """How the enrolling person is shown to be the owner of the evidence.

    - ``knowledge_questions``: the person answers questions only the owner should know
    - ``code_to_address_of_record``: a one-time code is sent to an address or phone number taken
      from an authoritative record
    - ``face_match``: software compares a live photo of the person with the document or register
      photo
    - ``liveness``: software checks the live photo or video is a real present person (presentation
      attack detection)
    - ``operator_photo_comparison``: a trained person compares the face with the photo (in person or
      over supervised video)
    - ``authoritative_biometric_match``: fingerprint or face matched against the biometric record
      kept by the issuing authority
    - ``existing_credential``: the person authenticates with an existing credential issued after
      proofing
    """

    knowledge_questions = "knowledge_questions"
    code_to_address_of_record = "code_to_address_of_record"
    face_match = "face_match"
    liveness = "liveness"
    operator_photo_comparison = "operator_photo_comparison"
    authoritative_biometric_match = "authoritative_biometric_match"
    existing_credential = "existing_credential"


class CredentialBinding(StrEnum):
    """How the new credential is tied to the person who was proofed.

    - ``unknown``: not known; assessed as the weakest answer
    - ``none``: the credential is not tied to any proofed identity
    - ``same_session``: issued and bound within the same continuous proofing session
    - ``enrolment_code``: activated with a one-time code delivered to a contact taken from an
      authoritative record
    - ``in_person``: handed over to the person in person, after their identity is checked again
    """

    unknown = "unknown"
    none = "none"
    same_session = "same_session"
    enrolment_code = "enrolment_code"
    in_person = "in_person"


class Enrolment(_Frozen):
    """Enrolment: identity proofing and registration."""

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
    biometric_recorded: bool | None = Field(
        default=None,
        description="A facial image or fingerprint of the person is recorded at enrolment.",
    )
    credential_binding: CredentialBinding = Field(
        default=CredentialBinding.unknown,
        description="How the credential is tied to the proofed person.",
    )


# --------------------------------------------------------------------------- credential management


class FactorCategory(StrEnum):
    """Authentication factor categories.

    - ``knowledge``
    - ``possession``
    - ``inherence``
    """

    knowledge = "knowledge"
    possession = "possession"
    inherence = "inherence"


class AuthenticatorType(StrEnum):
    """Authenticators the person uses to sign in.

    - ``password``: a password or PIN that the verifier checks
    - ``security_questions``: answers to pre-registered questions
    - ``lookup_codes``: a printed or stored list of one-time codes
    - ``sms_otp``: a one-time code sent by SMS or voice call
    - ``email_otp``: a one-time code or link sent by e-mail
    - ``push_approval``: approval of a request pushed to a registered app
    - ``otp_app``: one-time codes generated by an app (TOTP/HOTP)
    - ``otp_token``: one-time codes generated by a dedicated hardware token
    - ``software_key``: a private key held by an app or browser in software (software certificate,
      app key)
    - ``platform_key``: a private key held by the phone or computer's own security chip (secure
      enclave, TPM, platform passkey)
    - ``security_key``: an external hardware security key (FIDO2/U2F)
    - ``smart_card``: a chip card holding a private key (eID card, PKI smart card)
    - ``biometric``: a fingerprint or face matched by the verifier or the device
    """

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


class Activation(StrEnum):
    """What unlocks the authenticator on the person's side before it can be used.

    - ``unknown``: not known; assessed as the weakest answer
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


class KeyProtection(StrEnum):
    """How the secret or private key inside the authenticator is protected.

    - ``unknown``: not known; assessed as the weakest answer
    - ``no_key``: there is no key on the person's side (passwords, codes sent by SMS or e-mail)
    - ``software``: kept in ordinary app or file storage; can be copied
    - ``synced``: kept by the platform and synchronised to the person's other devices through a
      cloud account
    - ``hardware``: generated and kept in a hardware security chip (TPM, secure enclave, secure
      element) and cannot be exported
    - ``certified_hardware``: in a chip certified for tamper resistance (e.g. Common Criteria EAL4+
      smart card, FIPS 140 level 3)
    """

    unknown = "unknown"
    no_key = "no_key"
    software = "software"
    synced = "synced"
    hardware = "hardware"
    certified_hardware = "certified_hardware"


class Renewal(StrEnum):
    """What is required to renew or replace a credential.

    - ``unknown``: not known; assessed as the weakest answer
    - ``uncontrolled``: anyone who can sign in to the account, or no control at all
    - ``current_credential``: the person proves possession of the current, still valid credential
    - ``re_proofing``: the person's identity is proofed again
    """

    unknown = "unknown"
    uncontrolled = "uncontrolled"
    current_credential = "current_credential"
    re_proofing = "re_proofing"


class SecretStorage(StrEnum):
    """What the verifier keeps in order to check the authenticator.

    - ``unknown``: not known; assessed as the weakest answer
    - ``plaintext``: the secrets themselves, readable
    - ``protected``: salted hashes or encrypted secrets (keys kept apart, e.g. in an HSM)
    - ``public_key_only``: only public keys or data that cannot be used to sign in
    """

    unknown = "unknown"
    plaintext = "plaintext"
    protected = "protected"
    public_key_only = "public_key_only"


class CredentialManagement(_Frozen):
    """Credential management: the authenticators, their protection and their life cycle."""

    authenticators: list[AuthenticatorType] = Field(
        default_factory=list,
        description="Authenticators used together in one sign-in (empty: not known).",
    )
    activation: Activation = Field(
        default=Activation.unknown,
        description="What unlocks the authenticator on the person's side.",
    )
    key_protection: KeyProtection = Field(
        default=KeyProtection.unknown, description="How the secret or private key is protected."
    )
    verifier_storage: SecretStorage = Field(
        default=SecretStorage.unknown,
        description="What the verifier stores to check the authenticator.",
    )
    revocation: bool | None = Field(
        default=None,
        description="The credential can be suspended and revoked (by the person or issuer).",
    )
    status_checked: bool | None = Field(
        default=None, description="Revocation status is checked at every authentication."
    )
    expiry: bool | None = Field(
        default=None, description="Credentials have a limited validity period."
    )
    renewal: Renewal = Field(
        default=Renewal.unknown, description="What renewal or replacement requires."
    )

    @property
    def factor_categories(self) -> frozenset[FactorCategory]:
        """Factor categories of the authenticators and their activation."""
        out = {AUTHENTICATOR_FACTORS[a] for a in self.authenticators}
        if self.activation in (Activation.pin, Activation.pin_or_biometric):
            out.add(FactorCategory.knowledge)
        elif self.activation is Activation.biometric:
            out.add(FactorCategory.inherence)
        return frozenset(out)

    @property
    def factor_count(self) -> int:
        """Number of distinct factor categories."""
        return len(self.factor_categories)


# --------------------------------------------------------------------------- authentication


class MitmResistance(StrEnum):
    """Protection against someone relaying the sign-in between the person and the verifier.

    - ``unknown``: not known; assessed as the weakest answer
    - ``none``: no protection
    - ``server_authenticated``: an encrypted channel whose server certificate is checked (TLS)
    - ``channel_bound``: the authentication result is bound to the channel or both ends authenticate
      (mutual TLS, token binding)
    """

    unknown = "unknown"
    none = "none"
    server_authenticated = "server_authenticated"
    channel_bound = "channel_bound"


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
        description="A captured sign-in cannot be used again (challenge, nonce, one-time value).",
    )
    session_protection: bool | None = Field(
        default=None,
        description="The session after sign-in is protected against hijacking (bound, secure cookies, timeouts).",
    )
    mitm_resistance: MitmResistance = Field(
        default=MitmResistance.unknown,
        description="Protection against relaying (man in the middle).",
    )
    phishing_resistance: bool | None = Field(
        default=None,
        description="A fake site cannot obtain a usable sign-in (origin-bound keys, client-authenticated TLS).",
    )


# --------------------------------------------------------------------------- management


class LegalBasis(StrEnum):
    """What the service legally operates under.

    - ``unknown``: not known; assessed as the weakest answer
    - ``none``: nothing of the kind
    - ``contract``: terms of service or a contract with users and relying parties
    - ``statute``: operated under a law or regulation that sets its duties and liability
    """

    unknown = "unknown"
    none = "none"
    contract = "contract"
    statute = "statute"


class Supervision(StrEnum):
    """Oversight of the operator by an authority.

    - ``unknown``: not known; assessed as the weakest answer
    - ``none``: nothing of the kind
    - ``registered``: registered with or notified to an authority
    - ``supervised``: supervised by a competent authority
    - ``accredited``: licensed or accredited by an authority after an assessment
    """

    unknown = "unknown"
    none = "none"
    registered = "registered"
    supervised = "supervised"
    accredited = "accredited"


class Audit(StrEnum):
    """Who audits the service against its rules.

    - ``unknown``: not known; assessed as the weakest answer
    - ``none``: nothing of the kind
    - ``internal``: by the operator's own staff
    - ``independent``: by an independent third party
    """

    unknown = "unknown"
    none = "none"
    internal = "internal"
    independent = "independent"


class InformationSecurity(StrEnum):
    """How information security is managed.

    - ``unknown``: not known; assessed as the weakest answer
    - ``none``: nothing of the kind
    - ``documented``: written security policies and procedures
    - ``certified``: an information security management system certified (e.g. ISO/IEC 27001)
    """

    unknown = "unknown"
    none = "none"
    documented = "documented"
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
        default=None,
        description="Records of enrolment, credential life cycle and sign-ins are kept.",
    )


# --------------------------------------------------------------------------- the profile


class TechnologyProfile(_Frozen):
    """An e-authentication technology as an authority describes it."""

    name: str = Field(..., min_length=1, description="Name of the technology or service.")
    operator: str | None = Field(default=None, description="Who runs it.")
    description: str | None = Field(default=None, description="A short description.")
    claimed_level: int | None = Field(
        default=None, ge=1, le=4, description="The ISO/IEC 29115 level the operator claims (1-4)."
    )
    enrolment: Enrolment = Field(
        default=Enrolment(), description="Enrolment: identity proofing and registration."
    )
    credential_management: CredentialManagement = Field(
        default=CredentialManagement(),
        description="Credential management: authenticators and their life cycle.",
    )
    authentication: Authentication = Field(
        default=Authentication(), description="Entity authentication: protocol protections."
    )
    management: Management = Field(
        default=Management(), description="Management and organisation of the service."
    )
    sources: dict[JsonPointer, HttpUrl] = Field(
        default_factory=dict,
        description="Where each fact comes from: JSON pointer into this profile -> public URL.",
        json_schema_extra={"propertyNames": {"pattern": _POINTER_PATTERN}},
    )
    unconfirmed: list[JsonPointer] = Field(
        default_factory=list,
        description="JSON pointers of the facts that could not be confirmed from public sources.",
    )
    notes: str | None = None

    def without_unconfirmed(self) -> TechnologyProfile:
        """A copy in which every fact listed in ``unconfirmed`` is reset to its default (unknown).

        Assessing that copy shows the level the confirmed facts alone support (fail closed).
        """
        data = self.model_dump(mode="json")
        defaults = TechnologyProfile(name=self.name).model_dump(mode="json")
        for pointer in self.unconfirmed:
            parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
            node, default = data, defaults
            for part in parts[:-1]:
                if not isinstance(node.get(part), dict):
                    break
                node, default = node[part], default.get(part, {})
            else:
                if parts and parts[-1] in default:
                    node[parts[-1]] = default[parts[-1]]
                continue
            # the pointer goes into a list: reset the whole field
            if part in default:
                node[part] = default[part]
        data["unconfirmed"] = []
        return TechnologyProfile.model_validate(data)


PUBLISHED_SCHEMAS = {"technology-profile": TechnologyProfile}
